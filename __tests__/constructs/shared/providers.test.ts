import { environment, localInput, synthEnvironments } from "../../support/synth";

// The kubernetes provider block is built from kubernetes.configPath/configContext only; what the
// provider does without them (no ~/.kube/config) is docs/app.md, "Which cluster", citing its source.
describe("the kubernetes provider of the storage and app stacks", () => {
  const withFile = localInput();
  withFile.kubernetes = { namespace: "mattermost", configPath: "~/.kube/config", configContext: "microk8s" };
  const without = localInput();
  without.kubernetes = { namespace: "mattermost" };
  const stacks = synthEnvironments([environment("file", withFile), environment("bare", without)]);

  test.each(["file-storage", "file-app"])("%s: the kubeconfig path as written (~ unexpanded: the provider expands it) and the context", (id) => {
    expect(stacks[id].provider!.kubernetes).toEqual([{ config_path: "~/.kube/config", config_context: "microk8s" }]);
  });

  test.each(["bare-storage", "bare-app"])("%s: nothing set, so the provider reads only its KUBE_* variables or the in-cluster account", (id) => {
    expect(stacks[id].provider!.kubernetes).toEqual([{}]);
  });
});
