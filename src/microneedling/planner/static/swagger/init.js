// Starts Swagger UI on the planner's OpenAPI document (a static file: the pages carry no inline script).
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (req) {
      var token = document.documentElement.getAttribute("data-csrf");
      if (token) { req.headers["X-CSRF-Token"] = token; }
      return req;
    }
  });
});
