/**
 * The dirty values of the source data (docs/spec.md#dirty-values) and how often the generator writes them: the ONE
 * place that holds the rates. Every rate is the overall share of rows in which the column holds that
 * value (what you would count in the table), whole scrape-failure rows included. The batch cleaning
 * (docs/spec.md#clean-placeholders) must turn every value of PIN_DIRTY_VALUES into NULL.
 */
import { placeholderValues, saveLocationPrefix } from '../batch/index.ts';

const BATCH_PLACEHOLDERS = placeholderValues();
/** The one placeholder of a column of the batch's rules (src/batch/models/rules/placeholders.sql). */
function placeholder(column: string, which: 'shortest' | 'longest' = 'shortest'): string {
  const values = [...(BATCH_PLACEHOLDERS[column] ?? [])].sort((a, b) => a.length - b.length);
  const value = which === 'shortest' ? values[0] : values.at(-1);
  if (value === undefined) throw new Error(`the batch has no placeholder for ${column}`);
  return value;
}

/** The dirty values the generator writes: the batch's own placeholders, by their use here. */
export const PLACEHOLDERS = {
  title: placeholder('title'),
  description: placeholder('description'),
  /** The longer description placeholder: a story page's. */
  descriptionStory: placeholder('description', 'longest'),
  /** poster_name and follower_count: the scraper failed to read the poster's profile. */
  userInfo: placeholder('poster_name'),
  tagList: placeholder('tag_list'),
  storyFormat: placeholder('is_image_or_video'),
  imageSrc: placeholder('image_src'),
  /** Not a placeholder: every save_location starts with it, followed by a path ending in the category. */
  saveLocationPrefix: saveLocationPrefix(),
} as const;

export const RATES = {
  /**
   * Whole scrape-failure rows: title, description (`No description available`), poster_name,
   * follower_count, tag_list and image_src all in error, downloaded = 0.
   */
  scrapeFailure: 0.03,
  /** title = `No Title Data Available` (failure rows included). */
  title: 0.05,
  /** title = '' (empty string). */
  titleEmpty: 0.005,
  /** description = `No description available` (failure rows included). */
  description: 0.05,
  /** description = `No description available Story format`; only on story-format rows. */
  descriptionStory: 0.04,
  /** description = ''. */
  descriptionEmpty: 0.01,
  /** poster_name and follower_count = `User Info Error`, always together (failure rows included). */
  userInfo: 0.05,
  /** tag_list = `N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e` (failure rows included). */
  tagList: 0.06,
  /** tag_list = ''. */
  tagListEmpty: 0.01,
  /** is_image_or_video = `multi-video(story page format)`. */
  storyFormat: 0.07,
  /** is_image_or_video = `video` (the rest is `image`). */
  video: 0.15,
  /** image_src = `Image src error.` (failure rows included); downloaded is 0 on those rows. */
  imageSrc: 0.04,
} as const;

export type Rates = { [K in keyof typeof RATES]: number };

/** Per pin column, every value the cleaning must replace with NULL (docs/spec.md#clean-placeholders), '' included. */
export const PIN_DIRTY_VALUES: Readonly<Record<string, readonly string[]>> = {
  title: [PLACEHOLDERS.title, ''],
  description: [PLACEHOLDERS.description, PLACEHOLDERS.descriptionStory, ''],
  poster_name: [PLACEHOLDERS.userInfo],
  follower_count: [PLACEHOLDERS.userInfo],
  tag_list: [PLACEHOLDERS.tagList, ''],
  is_image_or_video: [PLACEHOLDERS.storyFormat],
  image_src: [PLACEHOLDERS.imageSrc],
};

/**
 * The conditional probabilities the generator draws with so that the overall shares equal RATES.
 * Scrape-failure rows are decided first; the other placeholders are drawn on the remaining rows.
 */
export interface DrawProbabilities {
  failure: number;
  title: number;
  titleEmpty: number;
  /** P(story description | story-format row, not a failure). */
  descriptionStory: number;
  /** On non-failure rows without a story description. */
  description: number;
  descriptionEmpty: number;
  userInfo: number;
  tagList: number;
  tagListEmpty: number;
  imageSrc: number;
  storyFormat: number;
  video: number;
}

export function drawProbabilities(r: Rates = RATES): DrawProbabilities {
  const f = r.scrapeFailure;
  const rest = 1 - f;
  const descRest = rest - r.descriptionStory;
  const p: DrawProbabilities = {
    failure: f,
    title: (r.title - f) / rest,
    titleEmpty: r.titleEmpty / rest,
    descriptionStory: r.descriptionStory / (rest * r.storyFormat),
    description: (r.description - f) / descRest,
    descriptionEmpty: r.descriptionEmpty / descRest,
    userInfo: (r.userInfo - f) / rest,
    tagList: (r.tagList - f) / rest,
    tagListEmpty: r.tagListEmpty / rest,
    imageSrc: (r.imageSrc - f) / rest,
    storyFormat: r.storyFormat,
    video: r.video,
  };
  const bad = Object.entries(p).filter(([, v]) => !(v >= 0 && v <= 1));
  if (bad.length > 0 || p.title + p.titleEmpty > 1 || p.description + p.descriptionEmpty > 1) {
    throw new Error(`src/seed/rates.ts: inconsistent rates (${bad.map(([k]) => k).join(', ') || 'sums'})`);
  }
  return p;
}
