"""The reference point: a bare Starlette handler returning a dict."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def item(request):
    return JSONResponse({"id": request.path_params["id"], "name": "Webshop", "created_at": "2026-01-02T03:04:05.678Z"})


app = Starlette(routes=[Route("/items/{id}", item)])
