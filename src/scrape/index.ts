export { ScrapeConfig, type ScrapeConfigInput, ScrapeTarget } from './config.js';
export { mergeLabels, type Scraper, type ScraperOptions, startScraper, type TargetStatus } from './scraper.js';
export {
  type ParsedExposition,
  type ParsedSample,
  type ParseIssue,
  parseFloatToken,
  parseTextFormat,
} from './text-format.js';
