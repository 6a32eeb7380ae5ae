"""Inventory adapter: the app factory makes the channel; this module only wraps the stub.

It imports nothing but the generated modules, through a package.
"""

from myapp.protos import inventory_pb2, inventory_pb2_grpc


class InventoryAdapter:
    def __init__(self, channel) -> None:
        self.stub = inventory_pb2_grpc.InventoryStub(channel)

    def count(self, sku: str) -> int:
        return self.stub.Count(inventory_pb2.CountRequest(sku=sku)).value  # expect: FM101, FM103

    def count_bounded(self, sku: str) -> int:
        return self.stub.Count(inventory_pb2.CountRequest(sku=sku), timeout=1.0).value  # expect: FM103

    def recount(self, sku: str) -> None:
        self.stub.Recount(inventory_pb2.CountRequest(sku=sku), timeout=None)  # expect: FM102, FM103
