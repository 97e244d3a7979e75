"""Domain errors and the one renderer of ``application/problem+json`` (RFC 9457).

Services raise :class:`ExchangeError` with a stable ``code``, its HTTP status and a message in
Chinese and English; the handlers here render it, pick the language from ``Accept-Language`` and
never leak a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("exchange.errors")

PROBLEM_JSON = "application/problem+json"


class ExchangeError(Exception):
    """An error a client can act on: a stable ``code``, an HTTP status, a message in zh and en."""

    def __init__(
        self,
        code: str,
        status: int,
        zh: str,
        en: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {en or zh}")
        self.code = code
        self.status = status
        self.zh = zh
        self.en = en or zh
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


# -- common errors, shared by every domain -------------------------------------------------------

ENTITY_ZH = {
    "user": "用户", "region": "区域", "organization": "组织", "opportunity": "项目机会",
    "offer": "服务供给", "need": "居民需求", "bid": "投标", "award": "中标公示", "objection": "质疑",
    "deal": "项目协议", "milestone": "里程碑", "fund": "资金池", "campaign": "众筹", "call": "创投大赛",
    "category": "服务类别", "target_group": "服务对象", "resource": "资源",
    "expert": "评审专家", "consultation": "工作记录", "manager": "公益经理人", "panel_draw": "专家抽取记录",
    "question": "澄清问题", "application": "创投申报",
    "proposal": "社区提案", "skill": "能力", "activity": "志愿活动", "filing": "备案申请", "space": "社区空间",
    "booking": "空间预约",
    "webhook": "事件推送订阅", "delivery": "推送记录", "notification": "通知",
}


def not_found(entity: str = "resource") -> ExchangeError:
    return ExchangeError(
        f"{entity}_not_found", 404, f"{ENTITY_ZH.get(entity, entity)}不存在或无权查看",
        f"The {entity.replace('_', ' ')} does not exist or may not be seen",
    )


def forbidden(zh: str = "无权执行此操作", en: str = "You may not do this", code: str = "forbidden") -> ExchangeError:
    return ExchangeError(code, 403, zh, en)


# States and actions as a reader sees them in Chinese messages (codes stay English).
STATE_ZH = {
    "draft": "草稿", "published": "已发布", "withdrawn": "已撤回", "open": "待认领", "claimed": "已认领",
    "fulfilled": "已完成待确认", "confirmed": "已确认", "converted": "已转为项目", "bidding_closed": "投标已截止",
    "under_review": "评审中", "awarded": "已授标", "contracted": "已签约", "closed": "已结项", "cancelled": "已取消",
    "unsuccessful": "流标", "standstill": "公示中", "final": "已生效", "upheld": "质疑成立", "rejected": "已驳回",
    "pending_signatures": "待签署", "active": "履行中", "delivered": "已交付", "evaluated": "已评估",
    "terminated": "已终止", "pending": "待提交", "reported": "已提交待验收", "accepted": "已验收", "funded": "已筹满",
    "ended": "已结束", "suspended": "已暂停", "missing": "不存在",
}
ACTION_ZH = {
    "update": "修改", "publish": "发布", "withdraw": "撤回", "cancel": "取消", "support": "附议", "claim": "认领",
    "release": "放弃认领", "fulfil": "报告完成", "confirm": "确认完成", "convert": "转为项目", "broker": "撮合协议",
    "contract": "签订协议", "sign": "签署", "report": "提交", "accept": "验收", "reject": "驳回", "bid": "投标",
    "close_bidding": "截止投标", "panel": "组建评审组", "score": "评分", "award": "授标", "object": "提出质疑",
    "resolve": "处理质疑", "evaluate": "评估", "close": "结项", "terminate": "终止", "funding": "配置资金",
    "join_call": "加入创投大赛", "supervise": "督导", "closing_report": "提交结项报告",
}


def state_zh(state: str) -> str:
    return STATE_ZH.get(state, state)


def invalid_state(entity: str, state: str, action: str) -> ExchangeError:
    """409 for a move the state machine does not allow; the code names the state and the action."""
    return ExchangeError(
        f"{entity}_{state}", 409,
        f"{ENTITY_ZH.get(entity, entity)}当前状态为「{state_zh(state)}」，不能{ACTION_ZH.get(action, '执行此操作')}",
        f"The {entity} is {state}; '{action}' is not allowed in that state",
        extra={"state": state, "action": action},
    )


def invalid(loc: list[str | int], zh: str, en: str, code: str = "validation_failed") -> ExchangeError:
    """422 for a semantically invalid field, reported like a schema validation error."""
    return ExchangeError(code, 422, zh, en, errors=[{"loc": loc, "msg": en, "msg_zh": zh}])


def precondition_failed() -> ExchangeError:
    return ExchangeError(
        "precondition_failed", 412, "资源已被修改，请刷新后重试（If-Match 不匹配）",
        "The resource has changed since you read it (If-Match does not match)",
    )


# -- rendering ------------------------------------------------------------------------------------

def wants_english(request: Request) -> bool:
    """True when the client's first-choice language is English."""
    header = request.headers.get("accept-language", "")
    best, best_q = "zh-CN", -1.0
    for part in header.split(","):
        lang, _, params = part.strip().partition(";")
        if not lang:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q and q > 0:  # q=0 means "not acceptable"
            best, best_q = lang.strip(), q
    return best.lower().startswith("en")


TITLES = {
    400: ("请求格式错误", "Bad request"), 401: ("未认证", "Not authenticated"), 403: ("禁止访问", "Forbidden"),
    404: ("未找到", "Not found"), 405: ("方法不允许", "Method not allowed"), 409: ("冲突", "Conflict"),
    412: ("前提条件失败", "Precondition failed"), 413: ("请求体过大", "Payload too large"),
    415: ("不支持的媒体类型", "Unsupported media type"), 416: ("请求范围无效", "Range not satisfiable"),
    422: ("输入无效", "Invalid input"),
    429: ("请求过于频繁", "Too many requests"), 431: ("请求头过大", "Request header fields too large"),
    500: ("服务器内部错误", "Internal server error"),
}


def problem_response(
    request: Request, status: int, code: str, zh: str, en: str, *,
    errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """Render one problem document in the client's language."""
    english = wants_english(request)
    title_zh, title_en = TITLES.get(status, ("错误", "Error"))
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title_en if english else title_zh,
        "status": status,
        "detail": en if english else zh,
        "code": code,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = [
            {"loc": e["loc"], "msg": e["msg"] if english else e.get("msg_zh", e["msg"])} for e in errors
        ]
    if extra:
        body.update(extra)
    hdrs = {"Content-Language": "en" if english else "zh-CN", **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=hdrs)


VALIDATION_ZH = {
    "missing": "缺少必填字段", "string_too_short": "文本过短", "string_too_long": "文本过长",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数（不接受小数）",
    "greater_than_equal": "数值过小", "less_than_equal": "数值过大", "greater_than": "数值过小",
    "less_than": "数值过大", "enum": "取值不在允许范围内", "literal_error": "取值不在允许范围内",
    "uuid_parsing": "应为 UUID", "datetime_parsing": "应为带时区的 ISO 8601 时间",
    "datetime_from_date_parsing": "应为带时区的 ISO 8601 时间", "timezone_aware": "时间必须带时区",
    "list_type": "应为数组", "dict_type": "应为对象", "string_type": "应为文本", "bool_type": "应为布尔值",
    "extra_forbidden": "不允许的字段", "too_long": "数组过长", "too_short": "数组过短",
    "value_error": "取值无效", "model_attributes_type": "应为对象", "date_parsing": "应为日期（YYYY-MM-DD）",
    "float_parsing": "应为数字", "float_type": "应为数字", "json_invalid": "JSON 格式错误",
}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return validation_messages(exc.errors())


def validation_messages(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors as the API reports them: ``loc``, ``msg`` (English) and ``msg_zh``."""
    out = []
    for err in errors:
        msg = str(err.get("msg", "invalid"))
        zh = VALIDATION_ZH.get(str(err.get("type")), "输入无效")
        out.append({"loc": [p for p in err.get("loc", ()) if p != "__root__"], "msg": msg, "msg_zh": f"{zh}：{msg}"})
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Every error the application can produce leaves as problem+json."""

    @app.exception_handler(ExchangeError)
    async def _domain(request: Request, exc: ExchangeError) -> JSONResponse:
        return problem_response(
            request, exc.status, exc.code, exc.zh, exc.en, errors=exc.errors, headers=exc.headers, extra=exc.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem_response(request, 400, "malformed_json", "请求体不是有效的 JSON", "The body is not valid JSON")
        return problem_response(
            request, 422, "validation_failed", "输入无效", "The input is invalid", errors=_validation_errors(exc)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: ("not_found", "路径不存在", "No such path"),
                 405: ("method_not_allowed", "不支持该请求方法", "This method is not allowed on this path"),
                 401: ("not_authenticated", "未认证", "Not authenticated")}
        code, zh, en = codes.get(exc.status_code, (f"http_{exc.status_code}", str(exc.detail), str(exc.detail)))
        return problem_response(request, exc.status_code, code, zh, en, headers=dict(exc.headers or {}))

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return problem_response(
            request, 409, "concurrent_update", "资源正被同时修改，请重试", "The resource was changed concurrently; retry"
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return problem_response(
            request, 409, "conflict", "与现有数据冲突", "The request conflicts with existing data"
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "internal_error", "服务器内部错误", "Internal server error")


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "code": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "loc": {"type": "array", "items": {}}, "msg": {"type": "string"}}}},
    },
}

STATUS_TEXT = {
    400: "Malformed request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found or not visible",
    409: "Conflict with the current state", 412: "Stale If-Match", 413: "Body too large",
    415: "Unsupported media type", 416: "Range not satisfiable",
    422: "Invalid input", 429: "Rate limited",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, all problem+json."""
    return {
        status: {"description": STATUS_TEXT.get(status, "Error"),
                 "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for status in statuses
    }

