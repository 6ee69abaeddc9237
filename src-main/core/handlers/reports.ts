/** `reports.*`: the Reports page's filters, report jobs and their results. */
import type { Handler } from '../../api/dispatch';
import type { JobManager } from '../../jobs/job-manager';
import type { ReportsService } from '../../reports/service';
import { requireReportJob } from '../../reports/service';

export function reportHandlers(
  service: ReportsService,
  jobs: Pick<JobManager, 'list'>,
): {
  'reports.options': Handler<'reports.options'>;
  'reports.generate': Handler<'reports.generate'>;
  'reports.result': Handler<'reports.result'>;
} {
  return {
    'reports.options': () => service.scopeOptions(),
    'reports.generate': (request) => service.start(request),
    'reports.result': ({ jobId }) => requireReportJob(service, jobs, jobId),
  };
}
