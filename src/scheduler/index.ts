/** The in-process kube-scheduler: `new Scheduler(registry, log).start()`. */

export { defaultProfile, defaultSchedulerName, inTreeRegistry, type Profile } from './registry.ts';
export { Scheduler, type SchedulerOptions } from './scheduler.ts';
