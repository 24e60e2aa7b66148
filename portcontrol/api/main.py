from ninja import NinjaAPI

from portcontrol.ingest.api import router as ingest_router
from portcontrol.manifests.api import router as manifests_router

from . import errors
from .auth import AUTH

api = NinjaAPI(
    title="PortControl API",
    version="1",
    description="Container search and detail, scoped to the caller's unit and role. "
                "Authenticate with the browser session or `Authorization: Bearer <token>`.",
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("/containers", manifests_router)
api.add_router("/intake", ingest_router)
