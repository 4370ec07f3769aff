/**
 * The nine results of tests/fixtures/batch/main, worked out by hand from the fixture (see the
 * table at the top of batch-main.test.ts). Posts 1–12:
 *
 * ind category    poster  followers        country  geo year  age   joined
 *  1  art         Alice   124k  → 124000   France   2018      24    2015
 *  2  art         Bob     5M    → 5000000  France   2019      25    2016   (sent twice)
 *  3  beauty      Cara    1.2k  → 1200     France   2018      35    2016   (user sent again with age 99: first copy wins)
 *  4  beauty      Dan     8632             Germany  2020 (ISO Z)      36    2017
 *  5  travel      NULL    NULL (placeholders) Germany 2021    50    2020-12-31 23:59:59
 *  6  travel      Finn    '' → NULL        Germany  2022      51    2021 (out of range)
 *  7  art         Gus     5M    → 5000000  Albania  2017 (out) 17 (no group) 2014 (out)
 *  8  quotes      Hana    999              Albania  2023 (out) 60   2015
 *  9  home-decor  Ivan    10000 (a JSON number) Germany 2019-01-01T01:00+02:00 = 2018 UTC; age NULL; 2017 (ISO)
 * 10  art         Jade    10k   → 10000    Germany  2020      18    2016
 * 11  finance     NULL    NULL (placeholders) Chad  2021      40    2019
 * 12  home-decor  Kim     2.5M  → 2500000  Brazil   2018      22    2020
 */
export const EXPECTED_MAIN: Record<string, Record<string, unknown>[]> = {
  // Albania art 1 / quotes 1 (tie → art); France art 2; Germany travel 2 (beauty, home-decor, art 1 each)
  popular_category_by_country: [
    { country: 'Albania', category: 'art', category_count: 1 },
    { country: 'Brazil', category: 'home-decor', category_count: 1 },
    { country: 'Chad', category: 'finance', category_count: 1 },
    { country: 'France', category: 'art', category_count: 2 },
    { country: 'Germany', category: 'travel', category_count: 2 },
  ],
  // 2017 and 2023 are outside 2018–2022; 2018: art, beauty, home-decor ×2 (posts 9 and 12);
  // 2020: beauty/art tie → art; 2021: travel/finance tie → finance
  popular_category_by_year: [
    { post_year: 2018, category: 'home-decor', category_count: 2 },
    { post_year: 2019, category: 'art', category_count: 1 },
    { post_year: 2020, category: 'art', category_count: 1 },
    { post_year: 2021, category: 'finance', category_count: 1 },
    { post_year: 2022, category: 'travel', category_count: 1 },
  ],
  // Chad has only NULL follower counts → no row; Germany: Ivan 10000 ties Jade 10000 → Ivan
  top_user_by_country: [
    { country: 'Albania', poster_name: 'Gus', follower_count: 5000000 },
    { country: 'Brazil', poster_name: 'Kim', follower_count: 2500000 },
    { country: 'France', poster_name: 'Bob', follower_count: 5000000 },
    { country: 'Germany', poster_name: 'Ivan', follower_count: 10000 },
  ],
  // Albania and France tie at 5,000,000 → Albania
  top_country_by_followers: [{ country: 'Albania', follower_count: 5000000 }],
  // 18-24: posts 1, 10 (art), 12 (home-decor); 25-35: art/beauty tie → art; 36-50: beauty, travel,
  // finance tie → beauty; +50: travel/quotes tie → quotes. Posts 7 (17) and 9 (NULL age) have no group.
  popular_category_by_age_group: [
    { age_group: '18-24', category: 'art', category_count: 2 },
    { age_group: '25-35', category: 'art', category_count: 1 },
    { age_group: '36-50', category: 'beauty', category_count: 1 },
    { age_group: '+50', category: 'quotes', category_count: 1 },
  ],
  // 18-24 {124000, 10000, 2500000}; 25-35 {5000000, 1200} → even count: 2500600;
  // 36-50 {8632, NULL, NULL}; +50 {NULL, 999}
  median_followers_by_age_group: [
    { age_group: '18-24', median_follower_count: 124000 },
    { age_group: '25-35', median_follower_count: 2500600 },
    { age_group: '36-50', median_follower_count: 8632 },
    { age_group: '+50', median_follower_count: 999 },
  ],
  // one row per clean user row; 2014 and 2021 are out of range; no one joined in 2018
  users_joined_by_year: [
    { post_year: 2015, number_users_joined: 2 },
    { post_year: 2016, number_users_joined: 3 },
    { post_year: 2017, number_users_joined: 2 },
    { post_year: 2019, number_users_joined: 1 },
    { post_year: 2020, number_users_joined: 2 },
  ],
  // 2015 {124000, 999} → 62499.5; 2016 {5000000, 1200, 10000}; 2017 {8632, 10000} → 9316;
  // 2019 {NULL} → NULL; 2020 {NULL, 2500000}
  median_followers_by_join_year: [
    { post_year: 2015, median_follower_count: 62499.5 },
    { post_year: 2016, median_follower_count: 10000 },
    { post_year: 2017, median_follower_count: 9316 },
    { post_year: 2019, median_follower_count: null },
    { post_year: 2020, median_follower_count: 2500000 },
  ],
  median_followers_by_join_year_and_age_group: [
    { age_group: '18-24', post_year: 2015, median_follower_count: 124000 },
    { age_group: '18-24', post_year: 2016, median_follower_count: 10000 },
    { age_group: '18-24', post_year: 2020, median_follower_count: 2500000 },
    { age_group: '25-35', post_year: 2016, median_follower_count: 2500600 },
    { age_group: '36-50', post_year: 2017, median_follower_count: 8632 },
    { age_group: '36-50', post_year: 2019, median_follower_count: null },
    { age_group: '36-50', post_year: 2020, median_follower_count: null },
    { age_group: '+50', post_year: 2015, median_follower_count: 999 },
  ],
};
