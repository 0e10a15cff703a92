"""Typed dependencies: handlers declare the settings, store and worker they need (tests get them from the
app they built)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .history import Store
from .settings import Settings
from .uploads import UploadLeases
from .worker import Worker


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_worker(request: Request) -> Worker:
    return request.app.state.worker


def get_leases(request: Request) -> UploadLeases:
    return request.app.state.leases


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
WorkerDep = Annotated[Worker, Depends(get_worker)]
LeasesDep = Annotated[UploadLeases, Depends(get_leases)]
