<?php
/* test_php.php: what a PHP shop does with wagate — create, list and delete an instance with
 * php-curl, through the web server. Run by run_php.py, which starts the stack and passes
 * WG_BASE_URL (e.g. http://127.0.0.1:8080) and WG_API_KEY (the global key) in the environment.
 * Prints one line per check and "N passed, N failed"; exits 1 on any failure. */

$base = rtrim((string) getenv('WG_BASE_URL'), '/');
$key = (string) getenv('WG_API_KEY');
if ($base === '' || $key === '') {
    fwrite(STDERR, "WG_BASE_URL and WG_API_KEY must be set\n");
    exit(2);
}
$passed = 0;
$failed = 0;

/** One request; returns [status, decoded JSON or null, raw body]. */
function wagate(string $method, string $path, ?string $apikey, $body = null): array
{
    global $base;
    $ch = curl_init($base . $path);
    $headers = ['Accept: application/json'];
    if ($apikey !== null) {
        $headers[] = 'apikey: ' . $apikey;
    }
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 10,
    ]);
    if ($body !== null) {
        $headers[] = 'Content-Type: application/json';
        curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($body));
    }
    curl_setopt($ch, CURLOPT_HTTPHEADER, $headers);
    $raw = curl_exec($ch);
    if ($raw === false) {
        $err = curl_error($ch);
        curl_close($ch);
        return [0, null, "curl: $err"];
    }
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, json_decode($raw, true), $raw];
}

function check(string $name, bool $ok, array $res): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
        echo "ok - $name\n";
    } else {
        $failed++;
        echo "FAIL - $name\n    got: {$res[0]} " . substr($res[2], 0, 400) . "\n";
    }
}

function names(array $res): array
{
    return is_array($res[1]) ? array_map(fn($row) => $row['name'] ?? null, $res[1]) : [];
}

$name = 'php-' . getmypid();

$r = wagate('GET', '/', null);
check('GET / answers', $r[0] === 200 && is_array($r[1]), $r);

$r = wagate('POST', '/instance/create', $key, ['instanceName' => $name, 'integration' => 'WHATSAPP-BAILEYS']);
$token = $r[1]['hash']['apikey'] ?? null;
check("create $name", $r[0] === 201 && ($r[1]['instance']['instanceName'] ?? null) === $name
    && is_string($token) && $token !== '', $r);

$r = wagate('GET', '/instance/fetchInstances', $key);
check('fetchInstances lists it', $r[0] === 200 && in_array($name, names($r), true), $r);

if (is_string($token)) {
    $r = wagate('GET', '/instance/fetchInstances', $token);
    check('fetchInstances with its token lists only it', $r[0] === 200 && names($r) === [$name], $r);
    $r = wagate('GET', '/instance/connectionState/' . rawurlencode($name), $token);
    check('connectionState is close', $r[0] === 200 && ($r[1]['instance']['state'] ?? null) === 'close', $r);
}

// Over 1 KiB, so libcurl sends "Expect: 100-continue" first, as PHP code in the wild does.
$headers = [];
for ($i = 0; $i < 40; $i++) {
    $headers["X-Custom-$i"] = str_repeat('v', 60);
}
$hook = ['webhook' => ['enabled' => true, 'url' => 'http://127.0.0.1:9/php-hook', 'headers' => $headers,
    'byEvents' => false, 'base64' => false, 'events' => ['MESSAGES_UPSERT']]];
$r = wagate('POST', '/webhook/set/' . rawurlencode($name), $key, $hook);
check('webhook/set with a 3 KB body (Expect: 100-continue)', $r[0] === 201, $r);
$r = wagate('GET', '/webhook/find/' . rawurlencode($name), $key);
check('webhook/find returns the url', $r[0] === 200 && str_contains($r[2], 'php-hook'), $r);

$r = wagate('GET', '/instance/fetchInstances', 'not-the-key');
check('wrong key gets 401', $r[0] === 401 && ($r[1]['error'] ?? null) === 'Unauthorized', $r);

$r = wagate('POST', '/instance/create', $key, ['instanceName' => $name, 'integration' => 'WHATSAPP-BAILEYS']);
check('duplicate gets 403', $r[0] === 403 && ($r[1]['status'] ?? null) === 403, $r);

$r = wagate('DELETE', '/instance/delete/' . rawurlencode($name), $key);
check("delete $name", $r[0] === 200 && ($r[1]['status'] ?? null) === 'SUCCESS', $r);

$r = wagate('GET', '/instance/fetchInstances', $key);
check('fetchInstances no longer lists it', $r[0] === 200 && !in_array($name, names($r), true), $r);

echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
