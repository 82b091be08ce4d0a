from . import tools
from .impl import Engine as Motor
from .impl import work
