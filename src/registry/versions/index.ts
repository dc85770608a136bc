import type { KubeObject } from '../../api/object.ts';
import { eventFields } from '../events/strategy.ts';
import { printers } from '../printers/index.ts';
import type { Registry } from '../registry.ts';
import { defineResources } from '../resource.ts';
import { genericStrategy } from '../strategy.ts';
import { coreToEventsV1, eventsV1ToCore } from './events.ts';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa.ts';

interface ServedVersion {
  /** The stored resource, `<group>/<plural>`, whose objects this version shows. */
  readonly storage: [group: string, plural: string];
  readonly toStorage: (obj: KubeObject) => KubeObject;
  readonly fromStorage: (obj: KubeObject) => KubeObject;
}

/**
 * Versions served over another version's storage, as upstream serves them through conversion:
 * events.k8s.io/v1 Events are core/v1 Events; autoscaling/v1 HPAs are autoscaling/v2 HPAs.
 */
export function addServedVersions(registry: Registry): void {
  const events = defineResources('events.k8s.io', 'v1', [{ kind: 'Event', short: ['ev'] }])[0]!;
  const hpaV1 = defineResources('autoscaling', 'v1', [
    { kind: 'HorizontalPodAutoscaler', short: ['hpa'], categories: ['all'], sub: ['status'] },
  ])[0]!;
  const served: [typeof events, ServedVersion][] = [
    [events, { storage: ['', 'events'], toStorage: eventsV1ToCore, fromStorage: coreToEventsV1 }],
    [
      hpaV1!,
      { storage: ['autoscaling', 'horizontalpodautoscalers'], toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
    ],
  ];
  for (const [info, v] of served) {
    const stored = registry.byResource(...v.storage);
    if (!stored) continue;
    const strategy =
      info.group === 'events.k8s.io'
        ? genericStrategy(info, { selectableFields: (o) => eventFields(eventsV1ToCore(o)) })
        : genericStrategy(info);
    const store = registry.add(info, strategy);
    store.storageInfo = stored.info;
    store.toStorage = v.toStorage;
    store.convert = v.fromStorage;
    const table = printers[`${v.storage[0]}/${v.storage[1]}`];
    if (table) store.table = { columns: table.columns, cells: (o, now) => table.cells(v.toStorage(o), now) };
  }
}
