"""Measurements that use both code wings: gradient flow through time (`gradflow`) and the
long-range benchmark (`longrange`)."""
