"""Spatial tissue model: micro-wounds from individual channels spreading and merging in a tissue plane.

Modules, one concept each:
``grid``       periodic surface plane and axisymmetric unit cell (cell-centred finite volumes)
``operators``  conservative diffusion and chemotaxis fluxes, spectral form of the diffusion operator
``stepping``   time stepping: explicit Euler, exponential (spectral) diffusion, IMEX for the radial cell,
               measured explicit stability limit
``field``      initial injury field from a puncture pattern
``model``      reaction-diffusion-chemotaxis of the healing kinetics on the grid; coverage and uniformity
Lengths are mm, times days, diffusivities mm^2/d throughout.
"""
