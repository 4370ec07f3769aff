# Databricks notebook source
"""The pinpipe batch on Apache Spark: the same contract as the DuckDB engine (src/batch/).

Reads the S3 sink's objects (a folder or bucket laid out as
`<topicsDir>/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json`), keeps each record's partition
and offset (start offset in the key + 0-based line number), drops copies of an offset (the copy in
the object with the smallest key wins), quarantines bad lines with the DuckDB engine's reasons,
builds the clean tables (tasks 1-3, one row per post: lowest offset, then lowest partition) and the
nine results (tasks 4-11), and writes `<out>/<result>.json`, `<out>/summary.json` and Parquet.

Three ways to run it:
- `pinpipe batch --engine spark` (src/batch/spark.ts) runs it from the cached venv that
  spark/install-spark.sh builds from spark/requirements-spark.lock;
- `python spark/pinpipe_batch_spark.py --source DIR --out DIR [--master local[*]]` directly;
- as a Databricks job (spark_python_task, parameters as on the command line, `--source
  s3://<bucket>` read through the workspace's S3 access) or imported as a notebook (this file is in
  Databricks source format; the parameters are then notebook widgets of the same names).

The line typing (JSON parsing, column types, quarantine reasons; DuckDB's staging models) mirrors
src/batch/models/rules/macros.sql rule by rule: in Spark SQL for every line whose decision is certain
(_typed_lines), in plain Python (type_line) for the rest (corrupt or unusual lines, objects that are
not valid UTF-8). Everything after it is the DuckDB engine's own models (src/batch/models/: rules,
deduplication, quarantine, cleaning, results), their SQL translated to Spark SQL by SQLGlot when the
job starts (Models): no second copy of those rules here.
"""

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import sys
import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TOPIC_KINDS = ("pin", "geo", "user")
CLEAN_TABLES = {"pin": "pin_clean", "geo": "geo_clean", "user": "user_clean"}

# The rules are the DuckDB engine's (src/batch/models/, docs/batch.md "Model graph"): the models run
# translated (Models below); the line typing reads the columns from manifest.json and the
# placeholders from rules/placeholders.sql. The folder beside this file's spark/ folder in a
# checkout (a Databricks Repo too: a notebook runs in its own folder), or PINPIPE_MODELS_DIR.


def _models_dir():
    here = globals().get("__file__")
    bases = [os.path.dirname(os.path.abspath(here))] if here else []
    candidates = [os.environ.get("PINPIPE_MODELS_DIR", "")] + [
        os.path.join(b, *rel) for b in bases + [os.getcwd()]
        for rel in (("..", "src", "batch", "models"), ("src", "batch", "models"))]
    for d in candidates:
        if d and os.path.isfile(os.path.join(d, "manifest.json")):
            return os.path.abspath(d)
    raise FileNotFoundError("the batch's rules (src/batch/models/manifest.json) are not beside spark/ nor in the "
                            "working folder: run from a checkout of the repository or set PINPIPE_MODELS_DIR")


MODELS_DIR = _models_dir()
_SQL_TOKEN = re.compile(r"'((?:[^']|'')*)'|(-?[0-9]+)|([(),;])|\s+|([^\s'(),;]+)")


def _models_text(rel):
    with open(os.path.join(MODELS_DIR, rel), encoding="utf-8") as f:
        # line comments dropped (a whole line starting with --): they may hold quotes
        return "\n".join(line for line in f.read().split("\n") if not line.lstrip().startswith("--"))


def sql_values(sql, table):
    """The rows of `INSERT INTO <table> VALUES (...), ...;` in a SQL file: tuples of str and int."""
    m = re.search(r"INSERT INTO " + re.escape(table) + r" VALUES", sql)
    if not m:
        raise ValueError(f"no INSERT INTO {table} VALUES in the models")
    rows, row = [], None
    for tok in _SQL_TOKEN.finditer(sql, m.end()):
        text, num, punct, word = tok.groups()
        if punct == ";":
            break
        if punct == "(":
            row = []
        elif punct == ")":
            rows.append(tuple(row))
            row = None
        elif row is not None and text is not None:
            row.append(text.replace("''", "'"))
        elif row is not None and num is not None:
            row.append(int(num))
        elif word is not None:
            raise ValueError(f"unexpected {word!r} in the rows of {table}")
    return rows


def _rules():
    with open(os.path.join(MODELS_DIR, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    columns = {k: tuple((c["name"], c["kind"]) for c in v["columns"]) for k, v in manifest["topics"].items()}
    placeholders_sql = _models_text("rules/placeholders.sql")
    placeholders = {}
    for col, value in sql_values(placeholders_sql, "placeholders"):
        placeholders.setdefault(col, ())
        placeholders[col] += (value,)
    results = tuple(m["name"] for m in manifest["models"] if m["layer"] == "results")
    return columns, placeholders, results


COLUMNS, PLACEHOLDERS, RESULT_NAMES = _rules()
INVALID_UTF8_MARKER = "\u0001pinpipe:invalid-utf8"

# ---------------------------------------------------------------------------------------------
# Line typing in plain Python (mirrors macros.sql; the lines Spark SQL does not decide). Unit-testable
# without Spark.
# ---------------------------------------------------------------------------------------------

_INT_TEXT = re.compile(r"-?[0-9]{1,18}")
_FLOAT_TEXT = re.compile(r"[+-]?([0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_K = re.compile(r"[0-9]+(\.[0-9]+)?[kK]")
_M = re.compile(r"[0-9]+(\.[0-9]+)?[mM]")
_DEC = re.compile(r"[0-9]+\.[0-9]+")
_DATETIME = re.compile(
    r"([0-9]{1,5})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[T ]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]+))?)?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?| UTC)?"
)
_NONFINITE = re.compile(r"[+-]?(nan|infinity|inf)", re.IGNORECASE)
_INT64 = 2**63


def duck_trim(s):
    """DuckDB's trim(): spaces only."""
    return s.strip(" ")


def parse_datetime(s):
    """try_cast(trim(s) AS TIMESTAMPTZ)::TIMESTAMP for the documented formats: a naive UTC datetime or None."""
    m = _DATETIME.fullmatch(duck_trim(s))
    if not m:
        return None
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    try:
        value = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0),
                            int((frac or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    if tz and tz not in ("Z", " UTC"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        try:
            value -= sign * dt.timedelta(minutes=minutes)
        except OverflowError:
            return None
    return value


def _decimal6(text):
    """try_cast(text AS DECIMAL(18, 6)): rounded half away from zero to 6 places, at most 12 integer digits."""
    try:
        d = Decimal(text).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return d if abs(d) < Decimal(10) ** 12 else None


def _round_int(d):
    n = int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return n if -_INT64 <= n < _INT64 else None


def parse_follower_count(s):
    """parse_follower_count() of macros.sql: digits, k × 1,000, M × 1,000,000, decimals; None otherwise."""
    if s is None:
        return None
    t = duck_trim(s)
    if _DIGITS.fullmatch(t):
        n = int(t)
        return n if n < _INT64 else None
    for pattern, mult in ((_K, 1000), (_M, 1000000)):
        if pattern.fullmatch(t):
            d = _decimal6(t[:-1])
            return None if d is None else _round_int(d * mult)
    if _DEC.fullmatch(t):
        d = _decimal6(t)
        return None if d is None else _round_int(d)
    return None


def _first_wins(pairs):
    """A JSON object whose duplicate keys keep their first value (as DuckDB's json_extract)."""
    out = {}
    for k, v in pairs:
        if k not in out:
            out[k] = v
    return out


def _lenient(line):
    """DuckDB's JSON reader also accepts trailing commas and NaN/Infinity in any case: rewrite
    those (outside strings) into what Python's json accepts. Only used when json.loads fails."""
    out = []
    i, n = 0, len(line)
    in_str = False
    while i < n:
        c = line[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(line[i + 1])
                i += 1
            elif c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
            continue
        if c == ",":
            j = i + 1
            while j < n and line[j] in " \t\r\n":
                j += 1
            if j < n and line[j] in "}]":
                i += 1
                continue
        m = _NONFINITE.match(line, i) if c in "+-nNiI" else None
        if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
            word = m.group(0)
            end = m.end()
            if end >= n or not (line[end].isalnum() or line[end] == "_"):
                neg = word.startswith("-") and word[1:].lower() != "nan"
                out.append("NaN" if "nan" in word.lower() else ("-Infinity" if neg else "Infinity"))
                i = end
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _has_lone_surrogate(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


_MISSING = object()


def parse_json(line):
    """The parsed line, or _MISSING when DuckDB's json_valid() would say no."""
    for text in (line, None):
        if text is None:
            text = _lenient(line)
            if text == line:
                return _MISSING
        try:
            value = json.loads(text, object_pairs_hook=_first_wins)
        except (ValueError, RecursionError):
            continue
        if "\\u" in line and _has_lone_surrogate(value):
            return _MISSING
        return value
    return _MISSING


def json_type(v):
    """DuckDB's json_type() of a parsed value."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "BOOLEAN"
    if isinstance(v, int):
        if v < 0:
            return "BIGINT" if v >= -_INT64 else "DOUBLE"
        return "UBIGINT" if v < 2**64 else "DOUBLE"
    if isinstance(v, float):
        return "DOUBLE"
    if isinstance(v, str):
        return "VARCHAR"
    if isinstance(v, dict):
        return "OBJECT"
    return "ARRAY"


def json_kind(t):
    return {"VARCHAR": "a string", "BIGINT": "an integer", "UBIGINT": "an integer", "DOUBLE": "a decimal number",
            "BOOLEAN": "a boolean", "OBJECT": "an object", "ARRAY": "an array"}.get(t, t.lower())


def _text(v):
    """json_extract_string() of a parsed scalar, enough for the checks and casts below."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def _float_text(s):
    t = duck_trim(s)
    if not _FLOAT_TEXT.fullmatch(t) or "__" in t or t.startswith("_") or t.endswith("_"):
        return None
    try:
        return float(t)
    except ValueError:
        return None


def column_problem(name, kind, t, v):
    """column_problem() of macros.sql: why one column is unusable, or None."""
    if t is None:
        return "missing column " + name
    if t == "NULL":
        return name + " is null" if kind == "key" else None
    if kind in ("key", "int"):
        if t in ("BIGINT", "UBIGINT", "VARCHAR") and _INT_TEXT.fullmatch(duck_trim(_text(v))):
            return None
        return name + ": expected an integer, got " + json_kind(t)
    if kind == "float":
        if t in ("BIGINT", "UBIGINT", "DOUBLE"):
            return None
        if t == "VARCHAR":
            f = _float_text(v)
            if f is not None and math.isfinite(f):
                return None
        return name + ": expected a number, got " + json_kind(t)
    if kind == "text":
        return None if t == "VARCHAR" else name + ": expected a string, got " + json_kind(t)
    if kind == "datetime":
        if t == "VARCHAR" and (v == "" or parse_datetime(v) is not None):
            return None
        return name + ": expected a datetime such as 2020-08-28 03:52:47"
    if kind == "count":
        if t in ("BIGINT", "UBIGINT") and 0 <= v < _INT64:
            return None
        if t == "VARCHAR" and (v == "" or v in PLACEHOLDERS[name] or parse_follower_count(v) is not None):
            return None
        return name + ": expected a count such as 8632, 124k, 1.2k or 5M"
    return "unknown column kind " + kind


def _typed(kind, v):
    """The value of a checked column, typed as staging/load_<topic>.sql casts it."""
    if v is None:
        return None
    if kind in ("key", "int"):
        return int(duck_trim(_text(v)))
    if kind == "float":
        return float(v) if not isinstance(v, str) else _float_text(v)
    if kind == "datetime":
        return parse_datetime(v)
    return _text(v)  # text, count (the count stays text until the cleaning)


def type_line(topic_kind, line):
    """(reason, values): reason None and the typed values, or a quarantine reason and None."""
    if line == INVALID_UTF8_MARKER:
        return "not valid UTF-8", None
    value = parse_json(line)
    if value is _MISSING:
        return ("empty line" if duck_trim(line) == "" else "not JSON (malformed or truncated)"), None
    if not isinstance(value, dict):
        return "not a JSON object", None
    out = []
    for name, kind in COLUMNS[topic_kind]:
        v = value.get(name, _MISSING)
        t = None if v is _MISSING else json_type(v)
        problem = column_problem(name, kind, t, v)
        if problem:
            return problem, None
        out.append(None if v is _MISSING else _typed(kind, v))
    return None, out


def object_lines(data):
    """object_lines() of macros.sql on an object's bytes: (line_no, text); a line that is not valid
    UTF-8 becomes the marker; a trailing \\r is dropped; the empty text after the last newline is
    not a line."""
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for i, raw in enumerate(parts):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = INVALID_UTF8_MARKER
        if text.endswith("\r"):
            text = text.rstrip("\r")
        yield i, text


MAX_PARTITION = 2_147_483_647
MAX_OFFSET = 2**53 - 1


def sink_key_pattern(topic):
    """Matches the tail `<topic>/partition=<p>/<topic>+<p>+<offset10>.json` of a path."""
    t = re.escape(topic)
    return re.compile(r"(?:^|/)(" + t + r"/partition=([0-9]+)/" + t + r"\+([0-9]+)\+([0-9]{10,})\.json)$")


def topic_prefix(topics_dir, topic):
    d = topics_dir.strip("/")
    return f"{topic}/" if d == "" else f"{d}/{topic}/"


def key_of(topics_dir, tail):
    """The object key of a matched `<topic>/partition=...` tail."""
    d = topics_dir.strip("/")
    return tail if d == "" else f"{d}/{tail}"


def stage_object(kind, topic, topics_dir, path, data):
    """All lines of one object as staged rows: key, partition, offset, line_no, reason, line, *values."""
    m = sink_key_pattern(topic).search(path)
    if not m or m.group(2) != m.group(3):
        return
    key = key_of(topics_dir, m.group(1))
    partition, start = int(m.group(2)), int(m.group(4))
    if partition > MAX_PARTITION or start > MAX_OFFSET:
        return  # not a sink key (src/sink/keys.ts): a partition over int32, an offset past 2^53
    width = len(COLUMNS[kind])
    for line_no, text in object_lines(data):
        reason, values = type_line(kind, text)
        if reason is None:
            yield (key, partition, start + line_no, line_no, None, None, *values)
        else:
            yield (key, partition, start + line_no, line_no, reason, text[:1000], *([None] * width))


# ---------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------


def is_remote(uri):
    """A URI (s3://, s3a://, dbfs:/, file:///...) is listed and read through Hadoop's file system;
    a plain path with Python (no JVM is started for an empty folder)."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", uri) is not None


def list_local(source, topics_dir, topics):
    """{kind: [path]}, ignored keys: the sink objects of a local folder (sources.ts listLocalObjects)."""
    root = os.path.abspath(source)
    objects = {k: [] for k in TOPIC_KINDS}
    ignored = []
    for kind in TOPIC_KINDS:
        d = os.path.join(root, topic_prefix(topics_dir, topics[kind]))
        if not os.path.isdir(d):
            continue
        pattern = sink_key_pattern(topics[kind])
        for folder, _dirs, files in os.walk(d):
            for f in files:
                full = os.path.join(folder, f)
                key = os.path.relpath(full, root).replace(os.sep, "/")
                m = pattern.search(key)
                ok = bool(m) and m.group(2) == m.group(3) and key == key_of(topics_dir, m.group(1))
                (objects[kind] if ok else ignored).append(full if ok else key)
    for kind in TOPIC_KINDS:
        objects[kind].sort()
    return objects, sorted(ignored)


def list_remote(spark, source, topics_dir, topics):
    """The same listing through Hadoop's FileSystem (s3://, s3a://, dbfs:/ ...)."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    base = source.rstrip("/")
    objects = {k: [] for k in TOPIC_KINDS}
    ignored = []
    for kind in TOPIC_KINDS:
        path = jvm.org.apache.hadoop.fs.Path(base + "/" + topic_prefix(topics_dir, topics[kind]))
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            continue
        pattern = sink_key_pattern(topics[kind])
        it = fs.listFiles(path, True)
        while it.hasNext():
            p = it.next().getPath().toString()
            m = pattern.search(p)
            if m and m.group(2) == m.group(3):
                objects[kind].append(p)
            else:
                ignored.append(p)
    for kind in TOPIC_KINDS:
        objects[kind].sort()
    return objects, sorted(ignored)


# ---------------------------------------------------------------------------------------------
# Spark: load, clean, results
# ---------------------------------------------------------------------------------------------


def _spark_types():
    from pyspark.sql import types as T

    kinds = {"key": T.LongType(), "int": T.LongType(), "float": T.DoubleType(), "text": T.StringType(),
             "count": T.StringType(), "datetime": T.TimestampNTZType()}
    meta = [("_key", T.StringType()), ("_partition", T.IntegerType()), ("_offset", T.LongType()),
            ("_line_no", T.LongType()), ("_reason", T.StringType()), ("_line", T.StringType())]
    return {k: T.StructType([T.StructField(n, t) for n, t in meta]
                            + [T.StructField(name, kinds[kind]) for name, kind in COLUMNS[k]])
            for k in TOPIC_KINDS}


# Line typing in Spark SQL. Each line is decided by Spark when the decision is certain to be the
# one of the Python rules above (and so of macros.sql); any other line is marked UNDECIDED and typed
# by type_line() in Python. Certain means: a flat JSON object (scalar values only, nothing after it,
# checked by FLAT_OBJECT), accepted by Spark's parse_json (which rejects duplicate keys, NaN, trailing
# commas, leading zeros and control characters: those lines go to Python), no surrogate escape, and
# per column a value whose JSON type and text the rules below decide. An object that is not valid
# UTF-8 is typed whole in Python (its lines must keep their numbers and bytes).

UNDECIDED = "?"
NOT_UTF8_OBJECT = "#"
_WS = r"[ \t\r]*+"
_STR = r'"(?:[^"\\]++|\\.)*+"'
_NUM = r"-?[0-9]++(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+"
_MEMBER = rf"{_STR}{_WS}:{_WS}(?:{_STR}|{_NUM}|true|false|null){_WS}"
FLAT_OBJECT = rf"(?s)^{_WS}\{{{_WS}(?:{_MEMBER}(?:,{_WS}{_MEMBER})*+)?\}}{_WS}\z"
SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F]"
_INT_RE = r"^-?[0-9]{1,18}\z"
_FLOAT_RE = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\z"
_DATETIME_RE = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\z"
_COUNT_RE = r"^(?:[0-9]{1,18}|[0-9]{1,9}(?:\.[0-9]{1,6})?[kKmM])\z"
_NUMBER_TYPES = ("BIGINT", "DOUBLE")  # and DECIMAL(p,s)


def _column_sql(name, kind, t, s):
    """(problem, value) Columns for one JSON column: t its schema_of_variant() (NULL when missing,
    VOID for null), s its text. problem is NULL when fine, UNDECIDED, or the reason of column_problem()."""
    from pyspark.sql import functions as F

    def why(text):
        return F.lit(f"{name}: {text}")

    trimmed = F.trim(s, F.lit(" "))
    is_num = t.isin(*_NUMBER_TYPES) | t.startswith("DECIMAL")
    undecided = F.lit(UNDECIDED)
    if kind in ("key", "int"):
        problem = (F.when(t == "BIGINT", F.when(s.rlike(_INT_RE), None).otherwise(why("expected an integer, got an integer")))
                   .when(t == "STRING", F.when(trimmed.rlike(_INT_RE), None).otherwise(why("expected an integer, got a string")))
                   .when(t == "BOOLEAN", why("expected an integer, got a boolean"))
                   .otherwise(undecided))
        value = trimmed.try_cast("bigint")
    elif kind == "float":
        d = trimmed.try_cast("double")
        finite = ~F.isnan(d) & (F.abs(d) < F.lit(float("inf")))
        problem = (F.when(is_num, None)
                   .when(t == "STRING", F.when(trimmed.rlike(_FLOAT_RE) & finite, None).otherwise(undecided))
                   .when(t == "BOOLEAN", why("expected a number, got a boolean"))
                   .otherwise(undecided))
        value = d
    elif kind == "text":
        problem = (F.when(t == "STRING", None)
                   .when(t == "BIGINT", why("expected a string, got an integer"))
                   .when(t == "BOOLEAN", why("expected a string, got a boolean"))
                   .otherwise(undecided))
        value = s
    elif kind == "datetime":
        ts = F.try_to_timestamp(trimmed, F.lit("yyyy-MM-dd HH:mm:ss"))
        problem = (F.when(t == "STRING", F.when((s == "") | (trimmed.rlike(_DATETIME_RE) & ts.isNotNull()), None)
                          .otherwise(undecided))
                   .otherwise(why("expected a datetime such as 2020-08-28 03:52:47")))
        value = ts.cast("timestamp_ntz")
    elif kind == "count":
        message = why("expected a count such as 8632, 124k, 1.2k or 5M")
        placeholder = s.isin(*PLACEHOLDERS[name]) if name in PLACEHOLDERS else F.lit(False)
        problem = (F.when(t == "BIGINT", F.when(s.try_cast("bigint") >= 0, None).otherwise(message))
                   .when(t == "STRING", F.when((s == "") | placeholder | trimmed.rlike(_COUNT_RE), None)
                         .otherwise(undecided))
                   .otherwise(message))
        value = s
    else:
        raise ValueError(f"unknown column kind {kind}")
    missing = F.lit(f"missing column {name}")
    null_ok = F.lit(f"{name} is null") if kind == "key" else F.lit(None)
    problem = F.when(t.isNull(), missing).when(t == "VOID", null_ok).otherwise(problem)
    return problem, value


def _typed_lines(spark, kind, topic, topics_dir, paths):
    """One row per line of the objects: key, partition, offset, line_no, verdict (NULL: loaded;
    UNDECIDED; NOT_UTF8_OBJECT: one row for a whole object, with its bytes; else the quarantine
    reason), the line text when not loaded, and the typed columns."""
    from pyspark.sql import functions as F

    t = re.escape(topic)
    key_re = r"(?:^|/)(" + t + r"/partition=([0-9]+)/" + t + r"\+([0-9]+)\+([0-9]{10,})\.json)$"
    d = topics_dir.strip("/")
    files = spark.read.text(paths, wholetext=True).select(
        F.input_file_name().alias("_path"), "value", F.expr("is_valid_utf8(value)").alias("_valid"))
    files = files.select(
        "_path", "_valid",
        F.concat(F.lit(f"{d}/" if d else ""), F.regexp_extract("_path", key_re, 1)).alias("_key"),
        F.regexp_extract("_path", key_re, 2).cast("int").alias("_partition"),
        F.regexp_extract("_path", key_re, 4).cast("bigint").alias("_start"),
        F.when(~F.col("_valid"), F.col("value").cast("binary")).alias("_bytes"),
        F.when(F.col("_valid"), F.split("value", "\n", -1)).otherwise(F.array(F.lit(None).cast("string")))
        .alias("_parts"))
    lines = files.select("*", F.size("_parts").alias("_n"), F.posexplode("_parts").alias("_line_no", "_raw")) \
        .where(~(F.col("_valid") & (F.col("_line_no") == F.col("_n") - 1) & (F.col("_raw") == "")))
    raw = F.col("_raw")
    lines = lines.select(
        "_key", "_partition", (F.col("_start") + F.col("_line_no")).alias("_offset"),
        F.col("_line_no").cast("bigint").alias("_line_no"), "_valid", "_bytes", "_path",
        F.when(raw.endswith("\r"), F.regexp_replace(raw, "\r+\\z", "")).otherwise(raw).alias("_line"))
    line = F.col("_line")
    flat = line.rlike(FLAT_OBJECT) & ~line.rlike(SURROGATE_ESCAPE)
    lines = lines.select("*", F.when(F.col("_valid") & flat, F.expr("try_parse_json(_line)")).alias("_v"))
    columns = COLUMNS[kind]
    lines = lines.select("*", *[F.expr(f"try_variant_get(_v, '$.{n}', 'variant')").alias(f"_x{i}")
                                for i, (n, _k) in enumerate(columns)])
    lines = lines.select("*", *[F.expr(f"schema_of_variant(_x{i})").alias(f"_t{i}") for i in range(len(columns))],
                         *[F.expr(f"try_variant_get(_x{i}, '$', 'string')").alias(f"_s{i}")
                           for i in range(len(columns))])
    checked = [_column_sql(n, k, F.col(f"_t{i}"), F.col(f"_s{i}")) for i, (n, k) in enumerate(columns)]
    verdict = (F.when(~F.col("_valid"), F.lit(NOT_UTF8_OBJECT))
               .when(F.trim(line, F.lit(" ")) == "", F.lit("empty line"))
               .when(F.col("_v").isNull(), F.lit(UNDECIDED))
               .otherwise(F.coalesce(*[p for p, _v in checked])))
    out = lines.select("_key", "_partition", "_offset", "_line_no", verdict.alias("_reason"), "_line",
                       "_bytes", "_path", *[v.alias(f"_c{i}") for i, (_p, v) in enumerate(checked)])
    return out.select("_key", "_partition", "_offset", "_line_no", "_reason",
                      F.when(F.col("_reason").isNotNull(), F.col("_line")).alias("_line"), "_bytes", "_path",
                      *[F.when(F.col("_reason").isNull(), F.col(f"_c{i}")).alias(f"_c{i}")
                        for i in range(len(columns))])


def load_topic(spark, kind, topic, topics_dir, paths):
    """The lines of the topic's objects, typed, as the view staged_<kind> (the staging models' table);
    returns the line count."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    schema = _spark_types()[kind]
    names = [f.name for f in schema.fields]
    if paths:
        typed = _typed_lines(spark, kind, topic, topics_dir, paths).persist(StorageLevel.MEMORY_AND_DISK)
        reason = F.col("_reason")
        decided = typed.where(reason.isNull() | ~reason.isin(UNDECIDED, NOT_UTF8_OBJECT)).select(
            "_key", "_partition", "_offset", "_line_no", "_reason", F.substring("_line", 1, 1000).alias("_line"),
            *[F.col(f"_c{i}").alias(names[6 + i]) for i in range(len(COLUMNS[kind]))])
        decided = decided.toDF(*names)

        def by_line(r):
            why, values = type_line(kind, r[4])
            if why is None:
                return (r[0], r[1], r[2], r[3], None, None, *values)
            return (r[0], r[1], r[2], r[3], why, r[4][:1000], *([None] * len(COLUMNS[kind])))

        undecided = typed.where(reason == UNDECIDED).select("_key", "_partition", "_offset", "_line_no", "_line")
        whole = typed.where(reason == NOT_UTF8_OBJECT).select("_path", "_bytes")
        in_python = spark.createDataFrame(
            undecided.rdd.map(by_line).union(
                whole.rdd.flatMap(lambda r: stage_object(kind, topic, topics_dir, r[0], bytes(r[1])))),
            schema, verifySchema=False)
        staged = decided.unionByName(in_python)
    else:
        typed = None
        staged = spark.createDataFrame([], schema)
    # typed once into staged_<kind>, with the row id that DuckDB's rowid is translated to: the models
    # of the topic read it (run_topic), then it is dropped
    staged = staged.withColumn("_rowid", F.monotonically_increasing_id()).cache()
    lines = staged.count()
    staged.createOrReplaceTempView(f"staged_{kind}")
    if typed is not None:
        typed.unpersist()
    return lines


# ---------------------------------------------------------------------------------------------
# The model graph on Spark (docs/decisions.md, "Spark runs the DuckDB models, translated by SQLGlot"):
# each model of src/batch/models/ rendered as models.ts renders it, its DuckDB SQL translated to
# Spark SQL by SQLGlot when the job starts, and its statements run as temporary views.
# ---------------------------------------------------------------------------------------------

_VAR = re.compile(r"\{\{(\w+)\}\}")
_REF = re.compile(r"\{\{ref (\w+)((?: \w+=\w+)*)\}\}")
# Spark runs the layers rules, intermediate, clean and results (a full run; the merge layer is the
# DuckDB engine's incremental run), not staging: the line typing above is the typed load.


class Models:
    """The manifest and its SQL files: render() as renderModel() of models.ts; statements() the
    Spark SQL of a model; run() executes them in a Spark session as temporary views."""

    def __init__(self, directory=None):
        self.dir = directory or MODELS_DIR
        with open(os.path.join(self.dir, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.by_name = {m["name"]: m for m in self.manifest["models"]}
        self.macros = {}     # CREATE MACRO name(params) AS body: inlined where called
        self.variables = {}  # SET VARIABLE name = value: inlined where getvariable('name') reads it

    def key(self, kind):
        return next(c["name"] for c in self.manifest["topics"][kind]["columns"] if c["kind"] == "key")

    def layer(self, layer):
        return [m for m in self.manifest["models"] if m["layer"] == layer and not m.get("ephemeral")]

    def render(self, name, kind=None, variables=None):
        """The SQL of a model: {{var}} replaced by the topic's kind and key and `variables`, each
        {{ref name var=value}} by that ephemeral model's SELECT (renderModel of models.ts)."""
        mod = self.by_name[name]
        values = dict(variables or {})
        if kind:
            values = {"kind": kind, "key": self.key(kind), **values}
        rel = mod["file"].replace("{kind}", kind) if kind else mod["file"]
        with open(os.path.join(self.dir, rel), encoding="utf-8") as f:
            text = f.read()

        def var(m):
            if not re.fullmatch(r"\w+", values.get(m.group(1), "")):
                raise ValueError(f"model {name}: {rel} uses {{{{{m.group(1)}}}}}, which has no value here")
            return values[m.group(1)]

        def ref(m):
            ref_vars = dict(variables or {})
            ref_vars.update(arg.split("=") for arg in m.group(2).split())
            return self.render(m.group(1), kind, ref_vars) + "\n"

        text = _REF.sub(ref, _VAR.sub(var, text))
        return re.sub(r";\s*$", "", text.strip()) if mod.get("ephemeral") else text

    def statements(self, name, kind=None):
        """The model's statements as SQLGlot expressions, translated to Spark SQL's."""
        import sqlglot

        out = []
        for stmt in sqlglot.parse(self.render(name, kind), read="duckdb"):
            if stmt is not None:
                out.append(self._define(stmt) or self.to_spark(stmt))
        return [s for s in out if s is not True]

    def _define(self, stmt):
        """A macro or a variable: kept to be inlined (True), nothing to run."""
        from sqlglot import exp

        if isinstance(stmt, exp.Create) and stmt.kind == "MACRO":
            fn = stmt.this
            self.macros[fn.this.name.lower()] = ([p.name for p in fn.expressions], stmt.expression)
            return True
        if isinstance(stmt, exp.Set):
            for item in stmt.expressions:
                eq = item.this
                self.variables[eq.this.name.lower()] = eq.expression
            return True
        return None

    def to_spark(self, tree):
        """The DuckDB-only parts SQLGlot leaves as they are, rewritten (the only hand-made transforms):
        a macro call → its body with the arguments in place of the parameters; getvariable('x') →
        the value it was set to (a scalar subquery, evaluated once by Spark); regexp_full_match(s, p)
        → s RLIKE '^(?:p)\\z'; rowid → the _rowid column the load adds; HUGEINT → DECIMAL(38, 0)."""
        from sqlglot import exp

        def rewrite(node):
            if isinstance(node, exp.Anonymous) and node.name.lower() in self.macros:
                params, body = self.macros[node.name.lower()]
                args = {p: a if isinstance(a, (exp.Column, exp.Literal)) else exp.Paren(this=a)
                        for p, a in zip(params, node.expressions)}
                if len(args) != len(params):
                    raise ValueError(f"{node.name}() takes {len(params)} argument(s): {node.sql('duckdb')}")
                inlined = body.transform(
                    lambda n: args[n.name].copy() if isinstance(n, exp.Column) and not n.table and n.name in args else n)
                return self.to_spark(inlined)
            if isinstance(node, exp.Anonymous) and node.name.lower() == "getvariable":
                return self.to_spark(self.variables[node.expressions[0].name.lower()].copy())
            if isinstance(node, exp.RegexpFullMatch) and isinstance(node.expression, exp.Literal):
                return exp.RegexpLike(this=self.to_spark(node.this),
                                      expression=exp.Literal.string(f"^(?:{node.expression.this})\\z"))
            if isinstance(node, exp.Column) and node.name.lower() == "rowid":
                return exp.column("_rowid", table=node.table or None)
            if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
                return exp.DataType.build("DECIMAL(38, 0)")
            return node

        return tree.transform(rewrite)

    def run(self, spark, name, kind=None):
        """Runs a model's statements: CREATE TABLE/VIEW → a temporary view (a table's cached);
        INSERT, DELETE → the view's rows replaced by a cached DataFrame; DROP → the view dropped."""
        for stmt in self.statements(name, kind):
            run_statement(spark, stmt)

    def run_layer(self, spark, layer, kind=None):
        for mod in self.layer(layer):
            if bool(mod.get("topic")) == (kind is not None):
                self.run(spark, mod["name"], kind)

    def query(self, spark, name, kind=None):
        """The DataFrame of a model that is one SELECT (a result)."""
        (stmt,) = self.statements(name, kind)
        return spark.sql(stmt.sql("spark", comments=False))


def _replace_view(spark, name, df):
    df.cache().createOrReplaceTempView(name)


def run_statement(spark, stmt):
    """One translated statement in Spark (its temporary views stand in for DuckDB's tables)."""
    from pyspark.sql import functions as F
    from sqlglot import exp

    if isinstance(stmt, exp.Create) and stmt.kind in ("TABLE", "VIEW"):
        name = stmt.this.this.name if isinstance(stmt.this, exp.Schema) else stmt.this.name
        if stmt.expression is None:  # CREATE TABLE name (columns): an empty table
            if stmt.args.get("exists") and spark.catalog.tableExists(name):
                return
            ddl = ", ".join(f"`{c.name}` {c.args['kind'].sql('spark')}" for c in stmt.this.expressions)
            spark.createDataFrame([], ddl).createOrReplaceTempView(name)
        elif stmt.kind == "TABLE":
            _replace_view(spark, name, spark.sql(stmt.expression.sql("spark", comments=False)))
        else:
            spark.sql(stmt.expression.sql("spark", comments=False)).createOrReplaceTempView(name)
    elif isinstance(stmt, exp.Insert):
        name = stmt.this.name
        target = spark.table(name)
        rows = stmt.expression
        if isinstance(rows, exp.Values):  # VALUES (...), ...: one SELECT per row
            rows = exp.union(*[exp.select(*t.expressions) for t in rows.expressions], distinct=False) \
                if len(rows.expressions) > 1 else exp.select(*rows.expressions[0].expressions)
        new = spark.sql(rows.sql("spark", comments=False))
        new = new.select([F.col(f"`{c}`").cast(f.dataType).alias(f.name)
                          for c, f in zip(new.columns, target.schema.fields)])
        _replace_view(spark, name, target.unionByName(new))
    elif isinstance(stmt, exp.Delete):
        name = stmt.this.name
        keep = spark.table(name)
        if stmt.this.alias:
            keep = keep.alias(stmt.this.alias)
        where = stmt.args["where"].this.sql("spark", comments=False)
        _replace_view(spark, name, keep.where(f"NOT coalesce(({where}), false)"))
    elif isinstance(stmt, exp.Drop) and stmt.kind in ("TABLE", "VIEW"):
        for table in stmt.args["tables"]:
            if spark.catalog.tableExists(table.name):
                spark.table(table.name).unpersist()
            spark.catalog.dropTempView(table.name)
    else:
        raise ValueError(f"no Spark rendition of the statement {stmt.sql('duckdb')[:200]}")


def plain(v):
    """A result value as the DuckDB engine writes it to JSON (whole doubles without a fraction)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def write_json(path, value):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def write_parquet(df, name, area, a):
    """A local single file <parquet-dir>/<area>/<name>.parquet (like the DuckDB engine), and/or
    the Hive-style folder <output-uri>/<prefix>/<name>/run_date=<d>/ (on a cluster)."""
    written = []
    if a.parquet_dir:
        target = os.path.join(a.parquet_dir, area, f"{name}.parquet")
        tmp = target + ".spark"
        df.coalesce(1).write.mode("overwrite").option("compression", "zstd").parquet("file://" + tmp)
        part = next(f for f in sorted(os.listdir(tmp)) if f.startswith("part-") and f.endswith(".parquet"))
        os.replace(os.path.join(tmp, part), target)
        shutil.rmtree(tmp, ignore_errors=True)
        written.append({"name": name, "area": area, "file": target})
    if a.output_uri:
        prefix = (a.curated_prefix if area == "curated" else a.analytics_prefix).strip("/")
        uri = f"{a.output_uri.rstrip('/')}/{prefix + '/' if prefix else ''}{name}/run_date={a.run_date}"
        df.write.mode("overwrite").parquet(uri)
        written.append({"name": name, "area": area, "uri": uri})
    return written


def remote_source(uri, topics_dir):
    """summary.source of a bucket URI: s3://bucket[/prefix] → {kind: s3, bucket, prefix}."""
    m = re.match(r"^[a-zA-Z0-9+.-]+://([^/]+)/?(.*)$", uri)
    bucket, prefix = (m.group(1), m.group(2).strip("/")) if m else (uri, "")
    return {"kind": "s3", "bucket": bucket, "prefix": "/".join(p for p in (prefix, topics_dir.strip("/")) if p)}


def empty_summary(a, started):
    return {
        "runDate": a.run_date,
        "generatedAt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "nothingToProcess": False,
        "source": remote_source(a.source, a.topics_dir) if is_remote(a.source) and not a.source.startswith("file:")
        else {"kind": "dir", "path": os.path.abspath(re.sub(r"^file:(//)?", "", a.source))},
        "objects": {"total": 0, "fetched": 0, "cached": 0, "ignored": 0, "perTopic": {k: 0 for k in TOPIC_KINDS}},
        "lines": {k: 0 for k in TOPIC_KINDS},
        "rows": {k: 0 for k in TOPIC_KINDS},
        "duplicates": {"offsets": {k: 0 for k in TOPIC_KINDS}, "posts": {k: 0 for k in TOPIC_KINDS}, "total": 0},
        "quarantined": {"perTopic": {k: 0 for k in TOPIC_KINDS}, "total": 0, "byReason": {}, "samples": []},
        "results": {},
        "outDir": os.path.abspath(a.out),
        "duckdbPath": "",
        "engine": "spark",
        "parquet": {"dir": a.parquet_dir, "uploaded": []},
        "timingsMs": {},
        "durationMs": 0,
        "_started": started,
    }


def finish(summary, results, a):
    for name in RESULT_NAMES:
        rows = results.get(name, [])
        summary["results"][name] = len(rows)
        write_json(os.path.join(a.out, f"{name}.json"), rows)
    started = summary.pop("_started")
    summary["durationMs"] = round((time.time() - started) * 1000)
    write_json(os.path.join(a.out, "summary.json"), summary)
    return summary


def info(msg):
    print(f"batch[spark]: {msg}", file=sys.stderr, flush=True)


def start_spark(a):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("pinpipe-batch")
    if a.master:
        builder = builder.master(a.master)
    builder = (builder.config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.showConsoleProgress", "false"))
    if a.master and a.master.startswith("local"):
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.driver.memory", a.driver_memory)
                   .config("spark.sql.shuffle.partitions", str((os.cpu_count() or 2) * 2))
                   .config("spark.driver.extraJavaOptions", "-Djava.io.tmpdir=" + os.path.join(a.work_dir, "spark-tmp"))
                   .config("spark.local.dir", os.path.join(a.work_dir, "spark-tmp")))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run(a, spark=None):
    from pyspark.sql import functions as F

    started = time.time()
    summary = empty_summary(a, started)
    timings = summary["timingsMs"]
    topics = {k: f"{a.pipeline_id}.{k}" for k in TOPIC_KINDS}

    def step(name, t0):
        timings[name] = round((time.time() - t0) * 1000)

    t0 = time.time()
    remote = is_remote(a.source)
    if not remote:
        if not os.path.isdir(a.source):
            raise UsageError(f"--source {a.source} is not a folder. Pass a folder laid out like the bucket "
                             f"(it holds {a.topics_dir}/<topic>/partition=<p>/...).")
        objects, ignored = list_local(a.source, a.topics_dir, topics)
    else:
        spark = spark or start_spark(a)
        objects, ignored = list_remote(spark, a.source, a.topics_dir, topics)
    step("list", t0)
    total = sum(len(v) for v in objects.values())
    summary["objects"].update(total=total, ignored=len(ignored),
                              perTopic={k: len(objects[k]) for k in TOPIC_KINDS})
    if ignored:
        info(f"{len(ignored)} object(s) under the topics are not sink objects and were skipped, e.g. "
             + ", ".join(ignored[:3]))
    info(f"{total} object(s) in {a.source} (pin {len(objects['pin'])}, geo {len(objects['geo'])}, "
         f"user {len(objects['user'])})")
    if total == 0:
        summary["nothingToProcess"] = True
        info(f"nothing to process: no sink objects under {a.source} for topics {a.pipeline_id}.{{pin,geo,user}}")
        return finish(summary, {}, a)

    t0 = time.time()
    spark = spark or start_spark(a)
    step("session", t0)

    t0 = time.time()
    models = Models()
    models.run_layer(spark, "rules")
    step("rules", t0)

    t0 = time.time()
    for kind in TOPIC_KINDS:
        uris = [p if remote else "file://" + os.path.abspath(p) for p in objects[kind]]
        lines = summary["lines"][kind] = load_topic(spark, kind, topics[kind], a.topics_dir, uris)
        models.run_layer(spark, "intermediate", kind)
        models.run_layer(spark, "clean", kind)
        # counted (and the tables cached) before the topic's staged lines are dropped
        raw = spark.table(f"raw_{kind}").count()
        rows = summary["rows"][kind] = spark.table(CLEAN_TABLES[kind]).count()
        q = summary["quarantined"]["perTopic"][kind] = spark.table("quarantine").where(F.col("topic") == kind).count()
        summary["duplicates"]["offsets"][kind] = lines - raw - q
        summary["duplicates"]["posts"][kind] = raw - rows
        spark.table(f"staged_{kind}").unpersist()
        spark.catalog.dropTempView(f"staged_{kind}")
    summary["duplicates"]["total"] = sum(summary["duplicates"]["offsets"].values()) + sum(
        summary["duplicates"]["posts"].values())
    summary["quarantined"]["total"] = sum(summary["quarantined"]["perTopic"].values())
    reasons = spark.sql("SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY n DESC, reason")
    summary["quarantined"]["byReason"] = {r["reason"]: r["n"] for r in reasons.collect()}
    samples = spark.sql("""SELECT topic, key, line_no AS line, offset, reason, substr(line, 1, 200) AS text
                           FROM quarantine ORDER BY topic, key, line_no LIMIT 20""")
    summary["quarantined"]["samples"] = [r.asDict() for r in samples.collect()]
    if summary["quarantined"]["total"]:
        top = list(summary["quarantined"]["byReason"].items())[:3]
        info(f"{summary['quarantined']['total']} line(s) quarantined ("
             + "; ".join(f"{n} × {r}" for r, n in top) + ")")
    step("load", t0)

    t0 = time.time()
    results = {}
    frames = {}
    for mod in models.layer("results"):
        name = mod["name"]
        df = models.query(spark, name)
        rows = df.collect()
        frames[name] = spark.createDataFrame(rows, df.schema) if rows else df
        frames[name].createOrReplaceTempView(name)
        results[name] = [{k: plain(v) for k, v in r.asDict().items()} for r in rows]
    step("analytics", t0)

    t0 = time.time()
    if a.parquet_dir:
        shutil.rmtree(a.parquet_dir, ignore_errors=True)
    files = []
    for kind in TOPIC_KINDS:
        files += write_parquet(spark.table(CLEAN_TABLES[kind]), CLEAN_TABLES[kind], "curated", a)
    # in the DuckDB engine's order (run-batch.ts)
    files += write_parquet(spark.table("quarantine").orderBy("topic", "key", "line_no"), "quarantine", "curated", a)
    for name in RESULT_NAMES:
        files += write_parquet(frames[name], name, "analytics", a)
    summary["parquet"]["uploaded"] = [f["uri"] for f in files if "uri" in f]
    step("parquet", t0)
    t0 = time.time()
    out = finish(summary, results, a)
    step("json", t0)
    write_json(os.path.join(a.out, "summary.json"), out)
    return out


class UsageError(Exception):
    pass


def parse_args(argv):
    ap = argparse.ArgumentParser(description="The pinpipe batch on Apache Spark (see the module docstring).")
    ap.add_argument("--source", required=True, help="folder or URI (s3://bucket, s3a://bucket/prefix, dbfs:/...) "
                                                    "laid out like the bucket")
    ap.add_argument("--out", required=True, help="folder for <result>.json and summary.json")
    ap.add_argument("--master", default=None, help="Spark master (local[*], spark://host:7077, ...); "
                                                   "default: the active session (Databricks) or Spark's default")
    ap.add_argument("--pipeline-id", default="0e7ae8feb921")
    ap.add_argument("--topics-dir", default="topics")
    ap.add_argument("--run-date", default=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"))
    ap.add_argument("--work-dir", default=".pinpipe/batch")
    ap.add_argument("--parquet-dir", default=None, help="local folder for <area>/<table>.parquet")
    ap.add_argument("--output-uri", default=None, help="s3://bucket: Parquet to <prefix>/<table>/run_date=<d>/")
    ap.add_argument("--curated-prefix", default="curated")
    ap.add_argument("--analytics-prefix", default="analytics")
    ap.add_argument("--driver-memory", default="2g")
    return ap.parse_args(argv)


NOTEBOOK_WIDGETS = ("source", "out", "pipeline-id", "topics-dir", "run-date", "output-uri", "curated-prefix",
                    "analytics-prefix")


def _notebook_argv():
    """In a Databricks notebook: the parameters as text widgets of the same names (without --),
    defined here so that they show in the notebook; a job's parameters fill them."""
    dbutils = globals().get("dbutils")
    if dbutils is None:
        return None
    argv = []
    for n in NOTEBOOK_WIDGETS:
        try:
            dbutils.widgets.text(n, "", n)
            v = dbutils.widgets.get(n)
        except Exception:  # noqa: BLE001 (widgets unavailable: the parameter is not set)
            v = ""
        if v:
            argv += [f"--{n}", v]
    return argv


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    nb = _notebook_argv()
    if nb is None and argv[:1] == ["--jobs"]:
        return run_jobs(argv[1])
    if nb is not None and not ("--source" in nb and "--out" in nb):
        print("pinpipe-spark-error: USAGE: set the notebook widgets (or job parameters) source and out",
              file=sys.stderr)
        return 2
    a = parse_args(nb if nb is not None else argv)
    try:
        summary = run(a, spark=globals().get("spark") if nb is not None else None)
    except UsageError as e:
        print(f"pinpipe-spark-error: USAGE: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"summary": os.path.join(a.out, "summary.json"), "durationMs": summary["durationMs"]}))
    return 0


def run_jobs(file):
    """`--jobs <file.json>`: a list of argument lists, run one after the other in one Spark session
    (the JVM starts once: the cross-engine test runs several data sets this way)."""
    with open(file, encoding="utf-8") as f:
        jobs = [parse_args(argv) for argv in json.load(f)]
    spark = None
    for a in jobs:
        if spark is None and not is_remote(a.source):
            spark = start_spark(a)
        run(a, spark=spark)
        if spark is not None:
            spark.catalog.clearCache()
    return 0


# COMMAND ----------

if __name__ == "__main__":
    code = main()
    if globals().get("dbutils") is None:
        sys.exit(code)
    elif code != 0:
        # a notebook or job run fails on an exception, not on a return value
        raise RuntimeError(f"pinpipe batch failed (exit {code}): see the error above")
