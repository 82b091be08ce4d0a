def parse(text):
    return tokenize(text)


def tokenize(text):
    return [normalize(t) for t in text.split()]


def normalize(token):
    return token.lower()


def main():
    return parse("A b C")


if __name__ == "__main__":
    main()
