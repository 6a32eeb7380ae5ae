import os

DEBUG = False

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "HOST": os.environ.get("DB_HOST", "db"),
    },
    "reports": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "reports",
        "OPTIONS": {"connect_timeout": 5},
    },
    "local": {"ENGINE": "django.db.backends.sqlite3", "NAME": "local.db"},
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/0",
    },
    "sessions": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/1?socket_timeout=0.5",
    },
    "rates": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/2",
        "OPTIONS": {"socket_timeout": float(os.environ.get("RATES_CACHE_TIMEOUT", "0.5"))},
    },
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.example.com"

CELERY_BROKER_URL = os.environ["BROKER_URL"]
CELERY_BROKER_CONNECTION_TIMEOUT = 2
