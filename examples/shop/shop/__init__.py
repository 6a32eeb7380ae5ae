"""The checkout service of the example shop: cart to paid order, order status, product listing.

External dependencies (one catalog file each under ``failure-modes/``):

* payment-gateway -- card payments over HTTPS (:mod:`shop.clients.payments`)
* orders-db       -- PostgreSQL, orders and products (:mod:`shop.db`)
* product-cache   -- Redis, product listings (:mod:`shop.cache`)
* order-events    -- RabbitMQ, ``order.*`` events (:mod:`shop.queue`)
* email           -- SMTP relay, confirmation emails (:mod:`shop.email`)
"""

__version__ = "1.4.0"
