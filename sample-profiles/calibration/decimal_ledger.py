"""Calibration workload: decimal (_pydecimal vs the _decimal accelerator).

A small accounting batch: amortisation schedules for a book of loans
(monthly payment from the annuity formula at 28 digits, then interest /
principal split per month with quantize to cents and ROUND_HALF_EVEN),
currency conversion of a ledger of postings, and per-account totals.

--impl pure uses the standard library's pure-Python _pydecimal module
(which is what `decimal` falls back to when _decimal is missing);
--impl c uses `decimal`, i.e. _decimal (libmpdec).

    python3 decimal_ledger.py --impl pure|c [--scale X]
"""

import random

from _impl import check, is_python, load, parse_args

args = parse_args(__doc__.splitlines()[0])
decimal = load("_pydecimal" if args.impl == "pure" else "decimal", ["_decimal"], args.impl)
pure = args.impl == "pure"
check(is_python(decimal.Decimal.__add__) == pure, args.impl,
      f"Decimal.__add__ is {decimal.Decimal.__add__!r}")
check(is_python(decimal.Decimal.quantize) == pure, args.impl,
      f"Decimal.quantize is {decimal.Decimal.quantize!r}")

D = decimal.Decimal
ctx = decimal.getcontext()
ctx.prec = 28
ctx.rounding = decimal.ROUND_HALF_EVEN
CENT = D("0.01")
ONE = D(1)
TWELVE = D(12)
rng = random.Random(777)

# -- amortisation schedules --------------------------------------------------
loans = [(D(rng.randint(5_000, 500_000)) + D(rng.randint(0, 99)) / 100,
          D(rng.randint(150, 900)) / 10000,  # 1.50% .. 9.00% per year
          rng.choice((24, 36, 60, 120)))
         for _ in range(int(220 * args.scale))]
total_interest = D(0)
for principal, annual, months in loans:
    r = annual / TWELVE
    payment = (principal * r / (ONE - (ONE + r) ** -months)).quantize(CENT)
    balance = principal
    for _ in range(months):
        interest = (balance * r).quantize(CENT)
        balance = balance + interest - payment
        total_interest += interest
        if balance < 0:
            break

# -- ledger: convert and total per account -----------------------------------
rates = {cur: D(rng.randint(5000, 20000)) / 10000 for cur in ("EUR", "GBP", "JPY", "CHF")}
totals = {}
for _ in range(int(100_000 * args.scale)):
    account = rng.randrange(200)
    amount = D(rng.randint(-100_000, 100_000)) / 100
    cur = rng.choice(("EUR", "GBP", "JPY", "CHF"))
    converted = (amount * rates[cur]).quantize(CENT)
    totals[account] = totals.get(account, D(0)) + converted

grand = sum(totals.values(), D(0))
print(f"decimal[{args.impl}] loans={len(loans)} interest={total_interest} "
      f"accounts={len(totals)} grand={grand} sqrt={grand.copy_abs().sqrt()}")
