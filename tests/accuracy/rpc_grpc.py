"""Checkout calls the pricing and stock services over gRPC."""

import grpc
import stock_pb2
import stock_pb2_grpc
from protos import pricing_pb2, pricing_pb2_grpc

PRICING = "pricing.internal:50051"
channel = grpc.insecure_channel(PRICING)
pricing = pricing_pb2_grpc.PricingStub(channel)


def price(sku: str) -> int:
    reply = pricing.GetPrice(pricing_pb2.PriceRequest(sku=sku))  # expect: FM101, FM103
    return reply.cents


def price_bounded(sku: str) -> int | None:
    try:
        return pricing.GetPrice(pricing_pb2.PriceRequest(sku=sku), timeout=0.5).cents
    except grpc.RpcError:
        return None


def prices(skus: list[str]) -> list[int]:
    try:
        return [pricing.GetPrice(pricing_pb2.PriceRequest(sku=s), 0.5).cents for s in skus]
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            return []
        raise


def wait_ready() -> None:
    grpc.channel_ready_future(channel).result()  # expect: FM101, FM103


def wait_ready_bounded() -> bool:
    try:
        grpc.channel_ready_future(channel).result(timeout=5)
        return True
    except grpc.FutureTimeoutError:
        return False


def reserve(sku: str, qty: int) -> bool:
    with grpc.secure_channel("stock.internal:443", grpc.ssl_channel_credentials()) as ch:
        stub = stock_pb2_grpc.StockStub(ch)
        try:
            return stub.Reserve(stock_pb2.ReserveRequest(sku=sku, qty=qty), timeout=None).ok  # expect: FM102
        except grpc.RpcError:
            return False


async def price_async(sku: str) -> int:
    async with grpc.aio.insecure_channel(PRICING) as ch:
        stub = pricing_pb2_grpc.PricingStub(ch)
        reply = await stub.GetPrice(pricing_pb2.PriceRequest(sku=sku))  # expect: FM101, FM103
        return reply.cents


async def price_async_bounded(sku: str) -> int:
    async with grpc.aio.insecure_channel(PRICING) as ch:
        stub = pricing_pb2_grpc.PricingStub(ch)
        try:
            return (await stub.GetPrice(pricing_pb2.PriceRequest(sku=sku), timeout=1)).cents
        except grpc.aio.AioRpcError:
            return 0
