/**
 * batch/v1 validation (upstream pkg/apis/batch/validation). Pure.
 *
 * The Job registry generates spec.selector and the `controller-uid` labels
 * on create before validation (unless manualSelector), so a Job reaching
 * validation without a selector is reported as `spec.selector: Required value`.
 */
import { selectorFromLabelSelector, validateLabelSelector } from '../../../machinery/labels.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { validatePodTemplateSpec } from '../../core/v1/validation.js';
import { enumField, type FieldError, FieldPath, fieldErrors, immutable, nonNegative } from '../../validationutil.js';
import { parseCron } from './cron.js';
import type { CronJob, Job, JobSpec } from './types.js';

/** CronJob names get an 11-character suffix per Job; 52 keeps Job names within 63. */
const MAX_CRONJOB_NAME = 52;

function validateJobSpec(s: JobSpec, path: FieldPath, needSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...nonNegative(s.parallelism, path.child('parallelism')));
  errs.push(...nonNegative(s.completions, path.child('completions')));
  errs.push(...nonNegative(s.backoffLimit, path.child('backoffLimit')));
  errs.push(...nonNegative(s.ttlSecondsAfterFinished, path.child('ttlSecondsAfterFinished')));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null && s.activeDeadlineSeconds <= 0) {
    errs.push(fieldErrors.invalid(path.child('activeDeadlineSeconds'), s.activeDeadlineSeconds, 'must be greater than or equal to 1'));
  }
  if (s.completionMode !== undefined) errs.push(...enumField(s.completionMode, ['NonIndexed', 'Indexed'], path.child('completionMode')));
  if (s.completionMode === 'Indexed' && (s.completions === undefined || s.completions === null)) {
    errs.push(fieldErrors.required(path.child('completions'), 'when completion mode is Indexed'));
  }
  if (needSelector) {
    if (!s.selector) errs.push(fieldErrors.required(path.child('selector'), ''));
    else {
      const selErrs = validateLabelSelector(s.selector, path.child('selector'));
      errs.push(...selErrs);
      const labels = s.template?.metadata?.labels ?? {};
      if (selErrs.length === 0 && !selectorFromLabelSelector(s.selector).matches(labels)) {
        errs.push(fieldErrors.invalid(path.child('template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
      }
    }
  }
  errs.push(...validatePodTemplateSpec(s.template, path.child('template')));
  const rp = s.template?.spec?.restartPolicy;
  if (s.template?.spec && rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(fieldErrors.notSupported(path.child('template', 'spec', 'restartPolicy'), rp ?? '', ['OnFailure', 'Never']));
  } else if (s.podFailurePolicy && rp !== 'Never') {
    errs.push(fieldErrors.invalid(path.child('template', 'spec', 'restartPolicy'), rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

export function validateJob(job: Job): FieldError[] {
  const errs = validateObjectMeta(job.metadata, { namespaced: true });
  if (!job.spec) return [...errs, fieldErrors.required(FieldPath.root('spec'), '')];
  return [...errs, ...validateJobSpec(job.spec, FieldPath.root('spec'), true)];
}

/** ValidateJobUpdate: selector and (for a started job) the pod template and completions are fixed. */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJob(job)];
  const sp = FieldPath.root('spec');
  errs.push(...immutable(job.spec?.selector, old.spec?.selector, sp.child('selector')));
  errs.push(...immutable(job.spec?.template, old.spec?.template, sp.child('template')));
  errs.push(...immutable(job.spec?.completionMode, old.spec?.completionMode, sp.child('completionMode')));
  if ((job.spec?.completionMode ?? 'NonIndexed') === 'NonIndexed') errs.push(...immutable(job.spec?.completions, old.spec?.completions, sp.child('completions')));
  return errs;
}

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, { namespaced: true });
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME) {
    errs.push(fieldErrors.invalid(FieldPath.root('metadata').child('name'), name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  }
  const s = cj.spec;
  const sp = FieldPath.root('spec');
  if (!s) return [...errs, fieldErrors.required(sp, '')];
  if (!s.schedule) errs.push(fieldErrors.required(sp.child('schedule'), ''));
  else {
    if (/^\s*(CRON_)?TZ=/.test(s.schedule)) {
      errs.push(fieldErrors.invalid(sp.child('schedule'), s.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    } else {
      try {
        parseCron(s.schedule);
      } catch (e) {
        errs.push(fieldErrors.invalid(sp.child('schedule'), s.schedule, (e as Error).message));
      }
    }
  }
  if (s.timeZone !== undefined && s.timeZone !== null) {
    if (s.timeZone === '' || !isKnownTimeZone(s.timeZone)) errs.push(fieldErrors.invalid(sp.child('timeZone'), s.timeZone, 'unknown time zone ' + s.timeZone));
  }
  errs.push(...enumField(s.concurrencyPolicy, ['Allow', 'Forbid', 'Replace'], sp.child('concurrencyPolicy')));
  errs.push(...nonNegative(s.startingDeadlineSeconds, sp.child('startingDeadlineSeconds')));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, sp.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, sp.child('failedJobsHistoryLimit')));
  const jt = s.jobTemplate;
  if (!jt?.spec) errs.push(fieldErrors.required(sp.child('jobTemplate', 'spec'), ''));
  else {
    // The Job controller generates selectors for the Jobs it creates; a template selector is optional.
    errs.push(...validateJobSpec(jt.spec, sp.child('jobTemplate', 'spec'), false));
  }
  return errs;
}

export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJob(cj)];
}

function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
