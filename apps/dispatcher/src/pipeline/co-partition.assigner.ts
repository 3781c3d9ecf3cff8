import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** Which input a group member consumes; both consumers of one process share an instance id. */
export type MemberRole = 'log' | 'retry';

export interface MemberIdentity {
  instanceId: string;
  role: MemberRole;
}

export const CO_PARTITION_ASSIGNER = 'DispatcherCoPartition';

/**
 * Both consumers of a dispatcher process join ONE group (each subscribed to the log and retry
 * topics, because kafkajs assigns only the leader's topics). This assigner gives partition p of the
 * log to the log consumer and partition p of the retry topic to the retry consumer OF THE SAME
 * PROCESS, so the process that owns p owns its state, its first attempts and its retries. A process
 * whose two consumers have not both joined yet gets nothing; its second join rebalances the group.
 */
export function coPartitionAssigner(
  identity: MemberIdentity,
  topics: { log: string; retry: string },
): PartitionAssigner {
  return ({ cluster }) => ({
    name: CO_PARTITION_ASSIGNER,
    version: 1,
    async assign({ members }) {
      const byInstance = new Map<string, Partial<Record<MemberRole, string>>>();
      for (const m of members) {
        const who = identityOf(m.memberMetadata);
        if (!who) continue;
        const roles = byInstance.get(who.instanceId) ?? {};
        roles[who.role] = m.memberId;
        byInstance.set(who.instanceId, roles);
      }
      const complete = [...byInstance.entries()]
        .filter(([, r]) => r.log && r.retry)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, r]) => r as Record<MemberRole, string>);
      const plan = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]));
      if (complete.length > 0) {
        for (const [role, topic] of [
          ['log', topics.log],
          ['retry', topics.retry],
        ] as const) {
          for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
            const owner = complete[partitionId % complete.length][role];
            const mine = plan.get(owner)!;
            (mine[topic] ??= []).push(partitionId);
          }
        }
      }
      return [...plan.entries()].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment,
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics: subscribed }) {
      return {
        name: CO_PARTITION_ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics: subscribed,
          userData: Buffer.from(JSON.stringify(identity)),
        }),
      };
    },
  });
}

function identityOf(metadata: Buffer): MemberIdentity | null {
  try {
    const { userData } = AssignerProtocol.MemberMetadata.decode(metadata)!;
    const parsed = JSON.parse(userData.toString('utf8')) as Partial<MemberIdentity>;
    if (typeof parsed.instanceId !== 'string' || (parsed.role !== 'log' && parsed.role !== 'retry'))
      return null;
    return { instanceId: parsed.instanceId, role: parsed.role };
  } catch {
    return null;
  }
}
