export { type PromMapping, PromMappingFields, RemoteWriteConfig } from './config.js';
export { RemoteWriteError, ScrapeError } from './errors.js';
export {
  addCounts,
  droppedOf,
  emptyCounts,
  fitName,
  formatSeries,
  identify,
  isStaleMarker,
  type MapCounts,
  type MapperBatch,
  type MappingOptions,
  SampleMapper,
  type SeriesIdentity,
  staleMarker,
} from './mapping.js';
export { type Received, receiveRemoteWrite, writeRequestToPoints } from './receive.js';
export {
  decodeRemoteWrite,
  decodeWriteRequest,
  encodeRemoteWrite,
  type Label,
  REMOTE_WRITE_HEADERS,
  type Sample,
  snappyDecode,
  type TimeSeries,
  type WriteRequest,
} from './write-request.js';
