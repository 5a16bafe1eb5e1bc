"""sia: the Science and Innovation Audit engine.

Turns public regional data into the evidence base of a Science and Innovation Audit under
Smart Specialisation. See the README for the layout of the package.
"""

__version__ = "0.1.0"
