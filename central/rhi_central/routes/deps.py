"""Annotated dependencies, so route signatures stay short and ruff's B008 stays quiet."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from rhi_central.auth import admin_bearer, device_bearer
from rhi_central.context import Central, get_central
from rhi_central.gate import Principal

CentralDep = Annotated[Central, Depends(get_central)]
DeviceCreds = Annotated[Principal, Depends(device_bearer)]
AdminCreds = Annotated[Principal, Depends(admin_bearer)]
