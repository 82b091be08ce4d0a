import asyncio


class Client:
    def __init__(self, base):
        self.base = base

    async def get(self, path):
        await asyncio.sleep(0)
        return self.url(path)

    def url(self, path):
        return self.base + path

    async def get_many(self, paths):
        out = []
        for p in paths:
            out.append(await self.get(p))
        return out


async def main():
    c = Client("http://x/")
    return await c.get_many(["a", "b"])


assert asyncio.run(main()) == ["http://x/a", "http://x/b"]
