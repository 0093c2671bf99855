import { waitFor } from '../harness/context';
import { startStack, ticketEvent, type Stack } from '../support/stack';
import type { NewProfilePolicy } from '../../src/connector/configuration';

/** New PCSM profiles reach Autotask without an operator, as the connector's policy says. */
describe('profile sync', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack('profile-sync', { autotaskTimeoutMs: 1000 });
  });

  afterEach(async () => {
    await stack.close();
  });

  const withPolicy = (newProfilePolicy: NewProfilePolicy) => stack.putConnector('c1', stack.input({ newProfilePolicy }));

  /** A profile created in PCSM; PCSM's webhook delivers profile.created to the connector. */
  const newProfile = async (name: string) => {
    const profile = await stack.pcsm.createProfile({ name });
    await waitFor(async () => {
      const jobs = await stack.connectorQueue().getJobs(['completed', 'failed']);
      return jobs.some((job) => job.data.event?.data?.id === profile.id && job.finishedOn);
    }, { timeoutMs: 15_000, message: `the profile event for ${name} to be handled` });
    const job = (await stack.connectorQueue().getJobs(['completed', 'failed'])).find((j) => j.data.event?.data?.id === profile.id)!;
    return { profile, job, connector: (await stack.runtime.store.connectors.get('c1'))! };
  };

  const companyWrites = () => stack.sim.requests.filter((r) => r.write && r.entity?.toLowerCase() === 'companies');

  it('only records the profile under the manual policy', async () => {
    await withPolicy('manual');
    const { profile, job, connector } = await newProfile('Northwind Traders');
    expect(job.returnvalue).toEqual({ outcome: 'recorded' });
    expect(connector.mappings.profiles.some((p) => p.profileId === profile.id)).toBe(false);
    expect(stack.sim.requests.filter((r) => r.entity?.toLowerCase() === 'companies')).toHaveLength(0);
    expect((await stack.runtime.store.rmmSites.list('c1')).map((p) => p.name)).toContain('Northwind Traders');
  });

  it('associates the Autotask company of the same name, from the catalogue without a call', async () => {
    await withPolicy('associate-by-name');
    await stack.admin('GET', '/api/v1/connectors/c1/setup'); // reads the catalogue
    const before = stack.sim.requests.length;
    const { profile, job, connector } = await newProfile('Northwind Traders Ltd');
    expect(job.returnvalue).toEqual({ outcome: 'associated', companyId: 175 });
    expect(connector.mappings.profiles).toContainEqual({ profileId: profile.id, companyId: 175 });
    // No company query: only the job's look at Autotask's hourly budget (at most once a minute).
    expect(stack.sim.requests.slice(before).map((r) => r.path.replace(/^.*\/V1\.0\//i, ''))).toEqual(['ThresholdInformation']);
  });

  it('finds a company created since the last catalogue read by its exact name', async () => {
    await withPolicy('associate-by-name');
    const id = stack.sim.faults.addCompany({ companyName: 'Adventure Works' });
    const { job } = await newProfile('Adventure Works');
    expect(job.returnvalue).toEqual({ outcome: 'associated', companyId: id });
    expect(companyWrites()).toHaveLength(0);
  });

  it('leaves a profile with no matching company for the operator under associate-by-name', async () => {
    await withPolicy('associate-by-name');
    const { job } = await newProfile('Tailspin Toys');
    expect(job.returnvalue).toMatchObject({ outcome: 'needs-association', detail: expect.stringContaining('Tailspin Toys') });
  });

  it('creates the company once, and tickets of the profile then sync to it', async () => {
    await withPolicy('create-company');
    const { profile, job, connector } = await newProfile('Tailspin Toys');
    expect(job.returnvalue).toMatchObject({ outcome: 'created' });
    const created = stack.sim.companies().find((c) => c.companyName === 'Tailspin Toys');
    expect(created).toMatchObject({ companyType: 1, ownerResourceID: 29682885, isActive: true });
    expect(connector.mappings.profiles).toContainEqual({ profileId: profile.id, companyId: created!.id });

    await stack.sendPcsm('c1', ticketEvent({ id: 'T-P1', profileId: profile.id }));
    await waitFor(() => stack.sim.tickets().some((t) => t.companyID === created!.id), { timeoutMs: 10_000 });
  });

  it('does not create a second company when the create’s answer is lost', async () => {
    await withPolicy('create-company');
    stack.sim.faults.commitThenTimeout(1, { mode: 'hang' });
    const { job } = await newProfile('Contoso Pharmaceuticals');
    expect(job.returnvalue).toMatchObject({ outcome: 'associated' });
    expect(stack.sim.companies().filter((c) => c.companyName === 'Contoso Pharmaceuticals')).toHaveLength(1);
    expect(companyWrites()).toHaveLength(1);
  });
});
