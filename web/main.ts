interface Health {
  status: string;
  version: string;
}

async function showHealth(): Promise<void> {
  const target = document.getElementById("health");
  if (!target) return;
  try {
    const response = await fetch("/api/health");
    const health = (await response.json()) as Health;
    target.textContent = `Server ${health.status} (version ${health.version})`;
  } catch {
    target.textContent = "Server unreachable";
  }
}

void showHealth();
