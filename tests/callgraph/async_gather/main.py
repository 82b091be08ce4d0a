import asyncio


async def work(n):
    await asyncio.sleep(0)
    return square(n)


def square(n):
    return n * n


async def main():
    results = await asyncio.gather(work(1), work(2))
    task = asyncio.create_task(work(3))
    return sum(results) + await task


assert asyncio.run(main()) == 14
