//! The language of error answers. `Accept-Language` chooses Chinese (`zh`, `zh-CN`,
//! `zh-Hans`, …) or English for a problem's `title`, `detail` and each field's `message`;
//! `code`, `field` and every other member stay as they are, so that programs keep reading
//! the same answer. English is the default of the API (what callers written before this
//! read); exports and digests are written in Chinese whatever is asked.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use serde_json::Value;

use super::problem::PROBLEM_JSON;
use crate::error::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh-CN",
        }
    }

    /// The language an `Accept-Language` value prefers among those answered: the highest
    /// quality, the first listed on a tie; English when it names neither.
    pub fn preferred(accept_language: Option<&str>) -> Language {
        let mut best = (Language::English, 0.0_f32);
        for range in accept_language.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let language = if tag == "zh" || tag.starts_with("zh-") {
                Language::Chinese
            } else if tag == "en" || tag.starts_with("en-") {
                Language::English
            } else {
                continue;
            };
            if quality > best.1 {
                best = (language, quality);
            }
        }
        best.0
    }
}

/// A status's title in Chinese, as `title` carries the English reason phrase.
pub fn chinese_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        401 => "未登录或登录已失效",
        403 => "无权操作",
        404 => "未找到",
        405 => "不支持的请求方法",
        408 => "请求超时",
        409 => "与记录的当前状态冲突",
        412 => "记录已被修改",
        413 => "请求体过大",
        415 => "不支持的内容类型",
        422 => "内容不符合规则",
        429 => "请求过于频繁",
        503 => "服务暂时不可用",
        _ => "服务器内部错误",
    }
}

/// What a failed rule means, in Chinese; the rule names are those `errors[].code` carries.
pub fn chinese_rule(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "required" => "必填",
        "length" => "长度不符合要求",
        "range" => "超出允许的范围",
        "type" => "类型或格式不对",
        "unknown_field" => "没有这个字段",
        "unique" => "不能重复",
        "email" => "邮箱地址无效",
        "url" => "网址无效",
        "date" => "日期无效（格式如 2026-12-31）",
        "iso_week" => "须为 ISO 周，如 2026-W48",
        "timezone" => "须为 IANA 时区名，如 Asia/Shanghai",
        "integer" => "须为整数",
        "enum" | "one_of" => "须为允许的取值之一",
        "matches" => "格式不符合要求",
        "control_characters" => "不能含控制字符",
        "cursor" => "分页游标无效，请从第一页重新读取",
        "org_code" => "组织代码格式不符合要求（字母、数字、连字符）",
        "username" => "用户名格式不符合要求（字母、数字、点、连字符、下划线）",
        "password" => "密码不符合要求（8 至 128 个字符）",
        "active" => "所指的记录已停用",
        "exists" => "所指的记录不存在",
        "exclusive" => "不能与其他字段同时提供",
        "later" => "须晚于当前的整改时限",
        "needs_extension" => "整改时限须通过延期申请修改",
        "no_cycle" => "上下级关系不能形成循环",
        "owner" => "责任人无效（须为本组织或下级组织的在职用户）",
        "read_only" => "只读，不能修改",
        "review_aspect" => "须为该次会议的问题类别之一",
        "same_review" | "within_review" => "须属于同一次会议",
        "event" => "事件名称无效",
        "deadline" | "unread_deadline" => "整改时限无法识别",
        "status" | "unknown_status" => "整改状态无法识别",
        "closed_on" => "销号时间无法识别",
        "several_owners" => "填写了多个责任人",
        "several_units" => "填写了多个责任单位",
        "progress_report" => "这是整改情况报告中的内容，不是问题",
        "unknown" => "无法识别",
        _ => return None,
    })
}

/// A problem document (RFC 9457) in Chinese: `title`, `detail` and the fields' messages.
pub fn in_chinese(problem: &mut Value, status: StatusCode) {
    let Some(object) = problem.as_object_mut() else {
        return;
    };
    object.insert("title".into(), chinese_title(status).into());
    let code = object
        .get("code")
        .and_then(Value::as_str)
        .and_then(|text| Code::ALL.iter().copied().find(|c| *c == text));
    let mut fields = Vec::new();
    if let Some(errors) = object.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors.iter_mut() {
            let rule = error["code"].as_str().unwrap_or_default().to_owned();
            let message = chinese_rule(&rule)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("不符合“{rule}”规则"));
            fields.push(format!(
                "`{}`（{message}）",
                error["field"].as_str().unwrap_or_default()
            ));
            error["message"] = message.into();
        }
    }
    let sentence = code.map_or("请求未能完成。", Code::chinese);
    let detail = match fields.as_slice() {
        [] => sentence.to_owned(),
        // Where a field failed, the field and its rule say more than the code's sentence.
        [one] => format!("字段不符合规则：{one}。"),
        many => format!("{} 个字段不符合规则：{}。", many.len(), many.join("；")),
    };
    object.insert("detail".into(), detail.into());
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = Language::preferred(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.call(req).await?.map_into_boxed_body();
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !problem {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let (mut response, body) = response.into_parts();
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.tag()),
    );
    if language == Language::English {
        return Ok(ServiceResponse::new(request, response.set_body(body)));
    }
    let status = response.status();
    let body = match body.try_into_bytes() {
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut document) => {
                in_chinese(&mut document, status);
                BoxBody::new(document.to_string())
            }
            Err(_) => BoxBody::new(bytes),
        },
        Err(body) => body,
    };
    Ok(ServiceResponse::new(request, response.set_body(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_read_by_quality_then_order() {
        use Language::{Chinese, English};
        let cases = [
            (None, English),
            (Some(""), English),
            (Some("zh-CN"), Chinese),
            (Some("zh"), Chinese),
            (Some("ZH-hans-CN"), Chinese),
            (Some("zh-CN,zh;q=0.9,en;q=0.8"), Chinese),
            (Some("en-US,en;q=0.9,zh-CN;q=0.8"), English),
            (Some("en;q=0.5, zh-TW;q=0.7"), Chinese),
            (Some("fr-FR, de"), English),
            (Some("fr, zh;q=0.1"), Chinese),
            (Some("zh;q=0"), English),
            (Some("*"), English),
            (Some("en, zh"), English),
            (Some("zhx"), English),
        ];
        for (header, expected) in cases {
            assert_eq!(Language::preferred(header), expected, "{header:?}");
        }
    }

    #[test]
    fn every_code_and_every_status_has_its_chinese() {
        let has_chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for code in Code::ALL {
            assert!(has_chinese(code.chinese()), "{code}: {}", code.chinese());
            let status = super::super::problem::status_of(code.kind());
            assert!(has_chinese(chinese_title(status)), "{status}");
        }
    }

    #[test]
    fn a_validation_problem_names_its_fields_with_chinese_rules() {
        let mut problem = serde_json::json!({
            "type": "urn:rectify:problem:validation_failed", "title": "Unprocessable Entity",
            "status": 422, "code": "validation_failed", "detail": "2 fields are invalid",
            "errors": [
                {"field": "timezone", "code": "timezone", "message": "must be an IANA name"},
                {"field": "items[2].x", "code": "made_up", "message": "odd"}
            ]
        });
        in_chinese(&mut problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["title"], "内容不符合规则");
        assert_eq!(problem["code"], "validation_failed");
        assert_eq!(
            problem["errors"][0]["message"],
            "须为 IANA 时区名，如 Asia/Shanghai"
        );
        assert_eq!(problem["errors"][1]["message"], "不符合“made_up”规则");
        assert_eq!(
            problem["detail"],
            "2 个字段不符合规则：`timezone`（须为 IANA 时区名，如 Asia/Shanghai）；`items[2].x`（不符合“made_up”规则）。"
        );
    }

    #[test]
    fn another_problem_reads_its_codes_sentence() {
        let mut problem = serde_json::json!({"status": 409, "code": "extension_pending",
            "detail": "The problem already has a pending request.", "allowed_actions": ["submit"]});
        in_chinese(&mut problem, StatusCode::CONFLICT);
        assert_eq!(problem["detail"], "该问题已有一项待审批的延期申请。");
        assert_eq!(problem["allowed_actions"][0], "submit");
    }
}
