import type { TableColumns } from '../table.ts';
import { ageColumn, column, listWithMore, nameColumn, recs, str, strs } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column(
    'AddressType',
    'string',
    'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
  ),
  column(
    'Ports',
    'string',
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
  ),
  column(
    'Endpoints',
    'string',
    'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
  ),
  ageColumn,
];

export const table: TableColumns = {
  columns,
  cells(slice, now) {
    const ports = recs(slice.ports).map((p) =>
      typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*',
    );
    const addresses = recs(slice.endpoints).flatMap((e) => strs(e.addresses));
    return [
      slice.metadata.name ?? '',
      str(slice.addressType),
      listWithMore(ports, ports.length, 3),
      listWithMore(addresses, addresses.length, 3),
      age(slice.metadata.creationTimestamp, now),
    ];
  },
};
