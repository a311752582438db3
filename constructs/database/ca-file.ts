import * as fs from "fs";
import * as path from "path";
import { ISynthesisSession, TerraformStack } from "cdktf";
// cdktf's own hook for writing files at synthesis (TerraformAsset uses it); not re-exported by its index.
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { Construct } from "constructs";

/** Props of {@link CaFile}. */
export interface CaFileProps {
  /** PEM of the CA (bundle) that signed the server's certificate. */
  readonly pem: string;
  /** File name inside the stack's folder. Default `database-ca.pem`. */
  readonly fileName?: string;
}

/**
 * A CA certificate written into the stack's own folder of the synth output
 * (`cdktf.out/stacks/<stack>/database-ca.pem`) when the stack is synthesized, for the postgresql
 * provider's `sslrootcert` (a path, not PEM). Nothing goes through a shared folder such as /tmp,
 * where another user could plant a symlink or swap the CA; the file is made anew (never written
 * through an existing file or link), readable by all and writable by its owner only. The path is
 * relative to the stack's folder, where Terraform runs, so it travels with the stack (Terraform
 * Cloud uploads that folder).
 */
export class CaFile extends Construct {
  /** The path Terraform reads, relative to the stack's folder. */
  public readonly path: string;

  constructor(scope: Construct, id: string, props: CaFileProps) {
    super(scope, id);
    const fileName = props.fileName ?? "database-ca.pem";
    if (path.basename(fileName) !== fileName) throw new Error(`CaFile ${id}: fileName must be a plain file name (got ${fileName})`);
    const pem = props.pem.trim() + "\n";
    const stack = TerraformStack.of(this);
    addCustomSynthesis(this, {
      onSynthesize(session: ISynthesisSession): void {
        const folder = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
        const file = path.join(folder, fileName);
        fs.rmSync(file, { force: true });
        // "wx": fails rather than follow anything that appeared at this name in the meantime.
        fs.writeFileSync(file, pem, { flag: "wx", mode: 0o644 });
        fs.chmodSync(file, 0o644); // the mode above is filtered by the umask; say it exactly
      },
    });
    this.path = fileName;
  }
}
