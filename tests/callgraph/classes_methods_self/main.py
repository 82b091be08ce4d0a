class Account:
    def __init__(self, balance):
        self.balance = balance
        self.validate()

    def validate(self):
        return self.balance >= 0

    def deposit(self, n):
        self.balance += n
        return self.report()

    def report(self):
        return self.balance


acct = Account(1)
acct.deposit(2)
