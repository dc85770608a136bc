/** Objects the tests start from: valid as they are. */
import type { KubeObject } from '../../../api/object.ts';

export const podTemplate = (labels: Record<string, string>, restartPolicy = 'Always') => ({
  metadata: { labels },
  spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox' }] },
});

export const deployment = (name = 'web'): KubeObject => ({
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }) },
});
