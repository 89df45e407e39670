export {
  NETNS_RUN_DIR,
  NetnsError,
  createNamedNetns,
  currentNetns,
  deleteNamedNetns,
  listNamedNetns,
  netnsPath,
  openNetns,
  openNetnsOfPid,
  withNetns,
  type NetnsHandle,
} from './netns.js';
