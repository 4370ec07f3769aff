"""The batch job in PySpark (`local[*]`), the original's engine: the same load, offset and post
de-duplication, cleaning (docs/spec.md#cleaning) and the nine results (docs/spec.md#results) as src/batch/sql/*.sql, on the
same sink-layout folder. Bench-only (bench/batch.ts runs it from a cached venv); it writes
<result_name>.json like `pinpipe batch --out`, so the two engines' results can be compared, and
prints its timings as one JSON line on stdout.

Simplifications next to the DuckDB job: no quarantine (bench data has no bad lines; Spark's
PERMISSIVE from_json turns a bad line into NULLs), no Parquet/S3 output.
"""

import argparse
import json
import os
import time

t_start = time.time()
from pyspark.sql import SparkSession, Window  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType  # noqa: E402

PLACEHOLDERS = {
    "title": ["No Title Data Available"],
    "description": ["No description available Story format", "No description available"],
    "poster_name": ["User Info Error"],
    "follower_count": ["User Info Error"],
    "tag_list": ["N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"],
    "image_src": ["Image src error."],
    "is_image_or_video": ["multi-video(story page format)"],
}

S = StringType()
PIN = StructType([StructField(c, t) for c, t in [
    ("index", LongType()), ("unique_id", S), ("title", S), ("description", S), ("poster_name", S),
    ("follower_count", S), ("tag_list", S), ("is_image_or_video", S), ("image_src", S),
    ("downloaded", LongType()), ("save_location", S), ("category", S)]])
GEO = StructType([StructField("ind", LongType()), StructField("timestamp", S), StructField("latitude", DoubleType()),
                  StructField("longitude", DoubleType()), StructField("country", S)])
USER = StructType([StructField("ind", LongType()), StructField("first_name", S), StructField("last_name", S),
                   StructField("age", LongType()), StructField("date_joined", S)])


def load(spark, source, topics_dir, topic, schema, key):
    """Lines of the topic's objects → typed rows, one per (partition, offset), then one per ind."""
    path = os.path.join(source, topics_dir, topic, "partition=*", "*.json")
    df = spark.read.text(path, wholetext=True).withColumn("file", F.input_file_name())
    df = df.select("file", F.posexplode(F.split("value", "\n")).alias("line_no", "line")).where(F.col("line") != "")
    name = F.regexp_extract("file", r"\+(\d+)\+(\d+)\.json$", 0)
    df = df.withColumn("_partition", F.regexp_extract(name, r"\+(\d+)\+", 1).cast("int"))
    df = df.withColumn("_offset", F.regexp_extract(name, r"\+(\d+)\.json$", 1).cast("long") + F.col("line_no"))
    df = df.withColumn("r", F.from_json("line", schema)).where(F.col(f"r.{key}").isNotNull())
    df = df.select("file", "_partition", "_offset", "r.*")
    w = Window.partitionBy("_partition", "_offset").orderBy("file")
    df = df.withColumn("_rn", F.row_number().over(w)).where("_rn = 1").drop("_rn")
    w2 = Window.partitionBy(key).orderBy("_offset", "_partition")
    return df.withColumn("_rn", F.row_number().over(w2)).where("_rn = 1").drop("_rn", "file")


def clean_text(c):
    bad = PLACEHOLDERS.get(c, [])
    cond = (F.col(c) == "") | F.col(c).isin(bad) if bad else (F.col(c) == "")
    return F.when(cond, F.lit(None)).otherwise(F.col(c))


def follower_count(c):
    s = F.trim(c)
    pat = r"^([0-9]+(\.[0-9]+)?)([kKmM]?)$"
    num = F.regexp_extract(s, pat, 1).cast("decimal(24,6)")
    suffix = F.lower(F.regexp_extract(s, pat, 3))
    mult = F.when(suffix == "k", 1000).when(suffix == "m", 1000000).otherwise(1)
    return F.when(s.rlike(pat), F.round(num * mult).cast("long"))


AGE_GROUP = """CASE WHEN age BETWEEN 18 AND 24 THEN '18-24' WHEN age BETWEEN 25 AND 35 THEN '25-35'
  WHEN age BETWEEN 36 AND 50 THEN '36-50' WHEN age > 50 THEN '+50' END"""
AGE_ORD = "CASE age_group WHEN '18-24' THEN 1 WHEN '25-35' THEN 2 WHEN '36-50' THEN 3 ELSE 4 END"

QUERIES = {
    "popular_category_by_country": """
      SELECT country, category, category_count FROM (
        SELECT g.country, p.category, count(*) AS category_count,
               row_number() OVER (PARTITION BY g.country ORDER BY count(*) DESC, p.category) AS rn
        FROM pin p JOIN geo g ON p.ind = g.ind
        WHERE g.country IS NOT NULL AND p.category IS NOT NULL GROUP BY g.country, p.category)
      WHERE rn = 1 ORDER BY country""",
    "popular_category_by_year": """
      SELECT post_year, category, category_count FROM (
        SELECT year(g.timestamp) AS post_year, p.category, count(*) AS category_count,
               row_number() OVER (PARTITION BY year(g.timestamp) ORDER BY count(*) DESC, p.category) AS rn
        FROM pin p JOIN geo g ON p.ind = g.ind
        WHERE year(g.timestamp) BETWEEN 2018 AND 2022 AND p.category IS NOT NULL
        GROUP BY year(g.timestamp), p.category)
      WHERE rn = 1 ORDER BY post_year""",
    "top_user_by_country": """
      SELECT country, poster_name, follower_count FROM (
        SELECT g.country, p.poster_name, p.follower_count,
               row_number() OVER (PARTITION BY g.country ORDER BY p.follower_count DESC, p.poster_name) AS rn
        FROM pin p JOIN geo g ON p.ind = g.ind
        WHERE g.country IS NOT NULL AND p.follower_count IS NOT NULL AND p.poster_name IS NOT NULL)
      WHERE rn = 1 ORDER BY country""",
    "top_country_by_followers": """
      SELECT country, follower_count FROM top_user_by_country ORDER BY follower_count DESC, country LIMIT 1""",
    "popular_category_by_age_group": f"""
      SELECT age_group, category, category_count FROM (
        SELECT age_group, category, count(*) AS category_count,
               row_number() OVER (PARTITION BY age_group ORDER BY count(*) DESC, category) AS rn
        FROM (SELECT {AGE_GROUP} AS age_group, p.category FROM pin p JOIN user u ON p.ind = u.ind)
        WHERE age_group IS NOT NULL AND category IS NOT NULL GROUP BY age_group, category)
      WHERE rn = 1 ORDER BY {AGE_ORD}""",
    "median_followers_by_age_group": f"""
      SELECT age_group, percentile(follower_count, 0.5) AS median_follower_count
      FROM (SELECT {AGE_GROUP} AS age_group, p.follower_count FROM pin p JOIN user u ON p.ind = u.ind)
      WHERE age_group IS NOT NULL GROUP BY age_group ORDER BY {AGE_ORD}""",
    "users_joined_by_year": """
      SELECT year(date_joined) AS post_year, count(*) AS number_users_joined FROM user
      WHERE year(date_joined) BETWEEN 2015 AND 2020 GROUP BY year(date_joined) ORDER BY post_year""",
    "median_followers_by_join_year": """
      SELECT year(u.date_joined) AS post_year, percentile(p.follower_count, 0.5) AS median_follower_count
      FROM pin p JOIN user u ON p.ind = u.ind WHERE year(u.date_joined) BETWEEN 2015 AND 2020
      GROUP BY year(u.date_joined) ORDER BY post_year""",
    "median_followers_by_join_year_and_age_group": f"""
      SELECT age_group, post_year, percentile(follower_count, 0.5) AS median_follower_count
      FROM (SELECT {AGE_GROUP} AS age_group, year(u.date_joined) AS post_year, p.follower_count
            FROM pin p JOIN user u ON p.ind = u.ind)
      WHERE age_group IS NOT NULL AND post_year BETWEEN 2015 AND 2020
      GROUP BY age_group, post_year ORDER BY {AGE_ORD}, post_year""",
}


def plain(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pipeline-id", default="0e7ae8feb921")
    ap.add_argument("--topics-dir", default="topics")
    ap.add_argument("--driver-memory", default="4g")
    a = ap.parse_args()

    spark = (SparkSession.builder.master("local[*]").appName("pinpipe-batch-bench")
             .config("spark.driver.memory", a.driver_memory)
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(os.cpu_count() * 2))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    t_session = time.time()

    pid = a.pipeline_id
    pin = load(spark, a.source, a.topics_dir, f"{pid}.pin", PIN, "index")
    pin = pin.select(
        F.col("index").alias("ind"), clean_text("unique_id").alias("unique_id"), clean_text("title").alias("title"),
        clean_text("description").alias("description"),
        follower_count(clean_text("follower_count")).alias("follower_count"),
        clean_text("poster_name").alias("poster_name"), clean_text("tag_list").alias("tag_list"),
        clean_text("is_image_or_video").alias("is_image_or_video"), clean_text("image_src").alias("image_src"),
        F.expr("nullif(regexp_replace(save_location, '^Local save in ', ''), '')").alias("save_location"),
        clean_text("category").alias("category"))
    geo = load(spark, a.source, a.topics_dir, f"{pid}.geo", GEO, "ind")
    geo = geo.select("ind", clean_text("country").alias("country"),
                     F.array("latitude", "longitude").alias("coordinates"),
                     F.col("timestamp").cast("timestamp").alias("timestamp"))
    user = load(spark, a.source, a.topics_dir, f"{pid}.user", USER, "ind")
    user = user.select("ind", F.concat(clean_text("first_name"), F.lit(" "), clean_text("last_name")).alias("user_name"),
                       "age", F.col("date_joined").cast("timestamp").alias("date_joined"))
    # materialise the clean tables once (as the notebooks' DataFrames are reused by every query)
    for name, df in (("pin", pin), ("geo", geo), ("user", user)):
        df.cache().createOrReplaceTempView(name)
    rows = {name: spark.table(name).count() for name in ("pin", "geo", "user")}
    t_clean = time.time()

    os.makedirs(a.out, exist_ok=True)
    counts = {}
    for name, sql in QUERIES.items():
        df = spark.sql(sql)
        df.createOrReplaceTempView(name)
        result = [{k: plain(v) for k, v in r.asDict().items()} for r in df.collect()]
        counts[name] = len(result)
        with open(os.path.join(a.out, f"{name}.json"), "w") as f:
            json.dump(result, f, indent=2)
    t_end = time.time()
    spark.stop()
    print(json.dumps({
        "rows": rows, "results": counts,
        "startup_s": round(t_session - t_start, 2), "clean_s": round(t_clean - t_session, 2),
        "analytics_s": round(t_end - t_clean, 2), "compute_s": round(t_end - t_session, 2),
        "total_s": round(t_end - t_start, 2)}))


if __name__ == "__main__":
    main()
