"""A local Alibaba Cloud ECS + CS (ACK@Edge) stand-in for tests, demos and rehearsals."""

__version__ = "0.1.0"
