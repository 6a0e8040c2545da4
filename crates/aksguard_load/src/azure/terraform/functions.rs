//! The parts of the `.tf` evaluator beyond literals and references: operators, `for`
//! expressions, the pure functions whose result is plain from known arguments, and variable
//! type constraints (`optional(type, default)` attributes filled in, as Terraform's type
//! conversion does). Anything else stays [`Val::Unknown`].
//!
//! Terraform errors (a missing attribute, a regex that does not match) are Unknown with a
//! reason starting with [`FAILS`], so `can(…)` and `try(…)` can tell a failure (false, next
//! argument) from a value that is merely not known.

use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, FuncCall};

use super::Val;
use super::hcl::Scope;

/// Prefix of the reason of a value Terraform itself would reject.
pub(crate) const FAILS: &str = "error: ";

/// Longest regular expression compiled (`regex(…)` patterns in modules are short).
const MAX_PATTERN: usize = 1_000;

fn fails(reason: &str) -> bool {
    reason.starts_with(FAILS)
}

fn number(val: &Val) -> Option<f64> {
    match val {
        Val::Num(n) | Val::Str(n) => n.trim().parse().ok(),
        _ => None,
    }
}

/// A binary operator over evaluated operands. `&&` and `||` decide on one known operand when
/// it settles the result (`false && x`, `true || x`); `==` with `null` is decided even when
/// the other side holds unknown parts.
pub(crate) fn binary(op: BinaryOperator, lhs: Val, rhs: Val) -> Val {
    use BinaryOperator as B;
    match op {
        B::And | B::Or => {
            let (l, r) = (lhs.as_bool(), rhs.as_bool());
            let settles = op == B::Or;
            if l == Some(settles) || r == Some(settles) {
                return Val::Bool(settles);
            }
            match (l, r) {
                (Some(_), Some(_)) => Val::Bool(!settles),
                _ => first_unknown(&lhs, &rhs, "operand is not a boolean"),
            }
        }
        B::Eq | B::NotEq => {
            let equal = match (&lhs, &rhs) {
                (Val::Unknown(_), _) | (_, Val::Unknown(_)) => {
                    return first_unknown(&lhs, &rhs, "");
                }
                (Val::Null, other) | (other, Val::Null) => matches!(other, Val::Null),
                _ if lhs.unknown_reason().is_some() || rhs.unknown_reason().is_some() => {
                    return first_unknown(&lhs, &rhs, "");
                }
                (Val::Num(a), Val::Num(b)) => {
                    number(&Val::Num(a.clone())) == number(&Val::Num(b.clone()))
                }
                _ => lhs == rhs,
            };
            Val::Bool(if op == B::Eq { equal } else { !equal })
        }
        B::Less | B::LessEq | B::Greater | B::GreaterEq => match (number(&lhs), number(&rhs)) {
            (Some(a), Some(b)) => Val::Bool(match op {
                B::Less => a < b,
                B::LessEq => a <= b,
                B::Greater => a > b,
                _ => a >= b,
            }),
            _ => first_unknown(&lhs, &rhs, "comparison of values that are not numbers"),
        },
        _ => first_unknown(&lhs, &rhs, "arithmetic is not evaluated"),
    }
}

fn first_unknown(lhs: &Val, rhs: &Val, otherwise: &str) -> Val {
    Val::Unknown(
        lhs.unknown_reason()
            .or(rhs.unknown_reason())
            .unwrap_or(otherwise)
            .to_owned(),
    )
}

impl Scope {
    /// `[for v in coll : expr if cond]` and `{for k, v in coll : key => value if cond}` over a
    /// known collection (at most `MAX_ELEMENTS` elements). An element whose condition is
    /// unknown makes a list Unknown (its positions would be), and an object's entry Unknown.
    pub(crate) fn for_expr(&self, f: &ForExpr, depth: u32) -> Val {
        if f.grouping {
            return Val::Unknown("grouping `for` expression is not evaluated".into());
        }
        let elements: Vec<(Val, Val)> = match self.eval(&f.intro.collection_expr, depth) {
            Val::Map(entries) => entries.into_iter().map(|(k, v)| (Val::Str(k), v)).collect(),
            Val::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Val::Num(i.to_string()), v))
                .collect(),
            Val::Unknown(reason) => return Val::Unknown(reason),
            _ => return Val::Unknown("`for` over a value that is not a collection".into()),
        };
        if elements.len() > MAX_ELEMENTS {
            return Val::Unknown("`for` over too many elements".into());
        }
        let mut list = Vec::new();
        let mut map: Vec<(String, Val)> = Vec::new();
        for (key, value) in elements {
            let mut scope = self.bind(f.intro.value_var.as_str(), value);
            if let Some(key_var) = &f.intro.key_var {
                scope = scope.bind(key_var.as_str(), key);
            }
            let keep = match &f.cond {
                None => Some(true),
                Some(cond) => scope.eval(&cond.expr, depth).as_bool(),
            };
            if keep == Some(false) {
                continue;
            }
            match &f.key_expr {
                None => match keep {
                    Some(_) => list.push(scope.eval(&f.value_expr, depth)),
                    None => return Val::Unknown("`for` condition is not resolvable".into()),
                },
                Some(key_expr) => {
                    let key = match scope.eval(key_expr, depth) {
                        Val::Str(k) | Val::Num(k) => k,
                        Val::Unknown(reason) => return Val::Unknown(reason),
                        _ => return Val::Unknown("`for` key is not a string".into()),
                    };
                    let value = match keep {
                        Some(_) => scope.eval(&f.value_expr, depth),
                        None => Val::Unknown("`for` condition is not resolvable".into()),
                    };
                    map.retain(|(k, _)| *k != key);
                    map.push((key, value));
                }
            }
        }
        match f.key_expr {
            None => Val::List(list),
            Some(_) => Val::Map(map),
        }
    }

    /// The pure functions whose result is plain from known arguments. Any other call is
    /// Unknown.
    pub(crate) fn call(&self, call: &FuncCall, depth: u32) -> Val {
        let name = call.name.name.as_str();
        let unknown = || Val::Unknown(format!("function call `{name}(…)` is not evaluated"));
        if !call.name.namespace.is_empty() || call.args.expand_final() {
            return unknown();
        }
        // `can` and `try` look at failures, so they evaluate their own arguments.
        match name {
            "can" => {
                return match call.args.iter().next().map(|a| self.eval(a, depth)) {
                    Some(Val::Unknown(reason)) if fails(&reason) => Val::Bool(false),
                    Some(Val::Unknown(reason)) => Val::Unknown(reason),
                    Some(_) => Val::Bool(true),
                    None => unknown(),
                };
            }
            "try" => {
                for arg in call.args.iter() {
                    match self.eval(arg, depth) {
                        Val::Unknown(reason) if fails(&reason) => continue,
                        other => return other,
                    }
                }
                return Val::Unknown(format!("{FAILS}no argument of `try` succeeds"));
            }
            _ => {}
        }
        let args: Vec<Val> = call.args.iter().map(|a| self.eval(a, depth)).collect();
        // A failing argument fails the call; an unknown one makes it unknown (`merge` and
        // `coalesce` look inside instead).
        if !matches!(name, "merge" | "coalesce" | "concat" | "length")
            && let Some(Val::Unknown(reason)) = args.iter().find(|a| matches!(a, Val::Unknown(_)))
        {
            return Val::Unknown(reason.clone());
        }
        let arg = |i: usize| args.get(i);
        match (name, args.len()) {
            ("merge", _) => {
                let mut out: Vec<(String, Val)> = Vec::new();
                for arg in args {
                    match arg {
                        Val::Map(entries) => {
                            for (key, val) in entries {
                                out.retain(|(k, _)| *k != key);
                                out.push((key, val));
                            }
                        }
                        Val::Null => {}
                        Val::Unknown(reason) => return Val::Unknown(reason),
                        _ => return unknown(),
                    }
                }
                Val::Map(out)
            }
            ("coalesce", _) => {
                for arg in args {
                    match arg {
                        Val::Null => {}
                        Val::Str(s) if s.is_empty() => {}
                        other => return other,
                    }
                }
                Val::Unknown(format!("{FAILS}no argument of `coalesce` is set"))
            }
            ("concat", _) => {
                let mut out = Vec::new();
                for arg in args {
                    match arg {
                        Val::List(items) => out.extend(items),
                        Val::Unknown(reason) => return Val::Unknown(reason),
                        _ => return unknown(),
                    }
                }
                Val::List(out)
            }
            ("length", 1) => match arg(0) {
                Some(Val::List(items)) => Val::Num(items.len().to_string()),
                Some(Val::Map(entries)) => Val::Num(entries.len().to_string()),
                Some(Val::Str(s)) => Val::Num(s.chars().count().to_string()),
                Some(Val::Unknown(reason)) => Val::Unknown(reason.clone()),
                _ => unknown(),
            },
            ("contains", 2) => match (arg(0), arg(1)) {
                (Some(Val::List(items)), Some(value)) if value.unknown_reason().is_none() => {
                    if items.iter().any(|i| i.unknown_reason().is_some()) {
                        unknown()
                    } else {
                        Val::Bool(items.contains(value))
                    }
                }
                _ => unknown(),
            },
            ("keys", 1) => match arg(0) {
                Some(Val::Map(entries)) => {
                    let mut keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
                    keys.sort();
                    Val::List(keys.into_iter().map(Val::Str).collect())
                }
                _ => unknown(),
            },
            ("values", 1) => match arg(0) {
                Some(Val::Map(entries)) => {
                    let mut entries = entries.clone();
                    entries.sort_by(|a, b| a.0.cmp(&b.0));
                    Val::List(entries.into_iter().map(|(_, v)| v).collect())
                }
                _ => unknown(),
            },
            ("lookup", 2 | 3) => match (arg(0), arg(1)) {
                (Some(Val::Map(entries)), Some(Val::Str(key))) => {
                    match entries.iter().rev().find(|(k, _)| k == key) {
                        Some((_, v)) => v.clone(),
                        None => arg(2).cloned().unwrap_or_else(|| {
                            Val::Unknown(format!("{FAILS}lookup of a missing key"))
                        }),
                    }
                }
                _ => unknown(),
            },
            ("join", 2) => match (arg(0), arg(1)) {
                (Some(Val::Str(sep)), Some(Val::List(items))) => {
                    let parts: Option<Vec<&str>> = items.iter().map(Val::as_str).collect();
                    parts.map_or_else(unknown, |p| Val::Str(p.join(sep)))
                }
                _ => unknown(),
            },
            ("lower", 1) => match arg(0).and_then(Val::as_str) {
                Some(s) => Val::Str(s.to_lowercase()),
                None => unknown(),
            },
            ("upper", 1) => match arg(0).and_then(Val::as_str) {
                Some(s) => Val::Str(s.to_uppercase()),
                None => unknown(),
            },
            ("regex", 2) => match (arg(0).and_then(Val::as_str), arg(1).and_then(Val::as_str)) {
                (Some(pattern), Some(text)) if pattern.len() <= MAX_PATTERN => {
                    regex_match(pattern, text).unwrap_or_else(unknown)
                }
                _ => unknown(),
            },
            // Policy assignment `parameters = jsonencode({ effect = { value = "Deny" } })`.
            ("jsonencode", 1) => arg(0)
                .and_then(to_json)
                .map_or_else(unknown, |json| Val::Str(json.to_string())),
            ("tolist" | "toset" | "tomap" | "tostring" | "tonumber" | "tobool", 1) => {
                args.into_iter().next().unwrap_or_else(unknown)
            }
            _ => unknown(),
        }
    }
}

/// A fully known value as JSON (`jsonencode`); `None` when any part is unknown.
fn to_json(val: &Val) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match val {
        Val::Null => J::Null,
        Val::Bool(b) => J::Bool(*b),
        Val::Num(n) => match n.trim().parse::<i64>() {
            Ok(i) => J::from(i),
            Err(_) => J::from(n.trim().parse::<f64>().ok()?),
        },
        Val::Str(s) => J::String(s.clone()),
        Val::List(items) => J::Array(items.iter().map(to_json).collect::<Option<_>>()?),
        Val::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        Val::Unknown(_) => return None,
    })
}

/// Elements a `for` expression iterates over at most.
const MAX_ELEMENTS: usize = 10_000;

/// Terraform's `regex`: the match (no groups), its groups as a list (unnamed) or a map
/// (named); no match is an error. `None` when the pattern does not compile here.
fn regex_match(pattern: &str, text: &str) -> Option<Val> {
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .ok()?;
    let Some(captures) = re.captures(text) else {
        return Some(Val::Unknown(format!("{FAILS}`regex` does not match")));
    };
    let text_of =
        |m: Option<regex::Match<'_>>| m.map_or(Val::Null, |m| Val::Str(m.as_str().into()));
    if re.captures_len() == 1 {
        return Some(text_of(captures.get(0)));
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    Some(if names.iter().all(Option::is_some) {
        Val::Map(
            names
                .iter()
                .flatten()
                .map(|n| ((*n).to_owned(), text_of(captures.name(n))))
                .collect(),
        )
    } else {
        Val::List(
            (1..re.captures_len())
                .map(|i| text_of(captures.get(i)))
                .collect(),
        )
    })
}

/// A value converted to a variable's type constraint as Terraform does for object types:
/// attributes the type does not declare are dropped, missing `optional(type, default)`
/// attributes take their default (`null` without one), recursively through `list`, `set`,
/// `map` and `optional`. Other types leave the value as it is.
pub(crate) fn coerce(val: Val, ty: &Expression, literal: &Scope, depth: u32) -> Val {
    if depth > 32 {
        return val;
    }
    let Expression::FuncCall(call) = ty else {
        return val;
    };
    let args: Vec<&Expression> = call.args.iter().collect();
    match (call.name.name.as_str(), val) {
        ("optional", val) => match args.first() {
            Some(inner) => coerce(val, inner, literal, depth + 1),
            None => val,
        },
        ("list" | "set", Val::List(items)) => match args.first() {
            Some(inner) => Val::List(
                items
                    .into_iter()
                    .map(|i| coerce(i, inner, literal, depth + 1))
                    .collect(),
            ),
            None => Val::List(items),
        },
        ("map", Val::Map(entries)) => match args.first() {
            Some(inner) => Val::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, coerce(v, inner, literal, depth + 1)))
                    .collect(),
            ),
            None => Val::Map(entries),
        },
        ("object", Val::Map(mut entries)) => {
            let Some(Expression::Object(fields)) = args.first() else {
                return Val::Map(entries);
            };
            let mut out = Vec::new();
            for (key, field_ty) in fields.iter() {
                let name = match key {
                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_owned(),
                    hcl_edit::expr::ObjectKey::Expression(e) => match literal.eval(e, 0) {
                        Val::Str(s) => s,
                        _ => continue,
                    },
                };
                let field_ty = field_ty.expr();
                match entries.iter().position(|(k, _)| *k == name) {
                    Some(i) => {
                        let (_, v) = entries.swap_remove(i);
                        out.push((name, coerce(v, field_ty, literal, depth + 1)));
                    }
                    None => {
                        if let Expression::FuncCall(opt) = field_ty
                            && opt.name.name.as_str() == "optional"
                        {
                            let mut opt_args = opt.args.iter();
                            let inner = opt_args.next();
                            let default = opt_args.next().map_or(Val::Null, |d| literal.eval(d, 0));
                            let default = match inner {
                                Some(inner) => coerce(default, inner, literal, depth + 1),
                                None => default,
                            };
                            out.push((name, default));
                        }
                        // A required attribute that is missing: Terraform rejects the
                        // value; reading it is an error (`has no such element`).
                    }
                }
            }
            Val::Map(out)
        }
        (_, val) => val,
    }
}
