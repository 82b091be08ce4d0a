from q import eng
from . import fmt


def build(text):
    return fmt.render(eng.run(text))
