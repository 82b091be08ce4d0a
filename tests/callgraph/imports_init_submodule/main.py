import q


def main():
    return q.build("x")


assert main() == "[X]"
