from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection

from orders.tasks import charge, refund


def checkout(order_id: str, amount: int) -> None:
    charge.delay(order_id, amount)
    cache.set(f"order:{order_id}", "pending")
    send_mail("Order received", "Thanks", "shop@example.com", ["buyer@example.com"])


def cancel(order_id: str) -> None:
    try:
        refund.apply_async(args=(order_id,))
    except Exception:
        pass
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orders SET state = 'cancelled' WHERE id = %s", [order_id])
