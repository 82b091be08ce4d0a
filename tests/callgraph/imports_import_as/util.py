def helper(s):
    return s.upper()
