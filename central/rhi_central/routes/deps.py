"""Annotated dependencies, so route signatures stay short and ruff's B008 stays quiet."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from rhi_central.auth import Credentials, admin_bearer, device_bearer
from rhi_central.context import Central, get_central

CentralDep = Annotated[Central, Depends(get_central)]
DeviceCreds = Annotated[Credentials, Depends(device_bearer)]
AdminCreds = Annotated[Credentials, Depends(admin_bearer)]
