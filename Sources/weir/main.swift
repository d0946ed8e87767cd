// placeholder so the package builds in this worktree (drop at merge)
