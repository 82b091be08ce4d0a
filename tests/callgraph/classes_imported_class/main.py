import models
from models import Admin as A
from models import User


def run():
    u = User("u")
    models.User("v").greet()
    return u.greet() + A("x").greet()


run()
