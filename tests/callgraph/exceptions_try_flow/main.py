def risky(n):
    if n < 0:
        raise ValueError("neg")
    return n


def recover():
    return 0


def cleanup():
    return None


def on_success(v):
    return v


def run(n):
    try:
        v = risky(n)
    except ValueError:
        v = recover()
    else:
        v = on_success(v)
    finally:
        cleanup()
    return v


run(1)
run(-1)
