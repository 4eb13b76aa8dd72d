"""The trade register the settings name (REGISTRY=ytj|local)."""

from core.db import Database
from core.settings import Settings
from core.trade_register import TradeRegister
from core.trade_register.local import LocalTradeRegister
from core.trade_register.ytj import YtjTradeRegister


def trade_register_from(settings: Settings, db: Database) -> TradeRegister:
    if settings.registry == "ytj":
        return YtjTradeRegister(db, settings.ytj_url, timeout_seconds=settings.registry_timeout_seconds)
    return LocalTradeRegister(db)
