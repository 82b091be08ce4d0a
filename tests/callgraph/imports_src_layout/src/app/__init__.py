from .core import start
