/*
 * miners.yar - cryptocurrency miners: mining-pool URLs and XMRig's command
 * line and configuration. Shipped with ckpt; see rules/README.md.
 */

rule miner_stratum_url
{
    meta:
        description = "mining-pool URL (stratum+tcp://, stratum+ssl://, stratum2+tcp:// ...)"
        author = "ckpt"
        reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
        severity = "high"
    strings:
        $stratum = /stratum[12]?\+(tcp|ssl|tls):\/\/[A-Za-z0-9.\-]{3,253}(:[0-9]{2,5})?/
    condition:
        $stratum
}

rule miner_xmrig
{
    meta:
        description = "XMRig miner: its flags or configuration keys together with a pool or the miner's name"
        author = "ckpt"
        reference = "https://xmrig.com/docs/miner/command-line-options"
        severity = "high"
    strings:
        $donate = "--donate-level" ascii wide
        $donate_json = "\"donate-level\"" ascii wide
        $cpu_prio = "--cpu-priority" ascii wide
        $randomx = "--randomx-mode" ascii wide
        $name = "xmrig" nocase ascii wide
        $coin = "--coin=monero" ascii wide
        $algo = "--algo=rx/0" ascii wide
        $pool1 = "pool.minexmr.com" nocase ascii wide
        $pool2 = "pool.supportxmr.com" nocase ascii wide
        $pool3 = "xmr.nanopool.org" nocase ascii wide
        $pool4 = "gulf.moneroocean.stream" nocase ascii wide
        $pool5 = "xmr.2miners.com" nocase ascii wide
        $pool6 = "monerohash.com" nocase ascii wide
    condition:
        (any of ($donate, $donate_json, $cpu_prio, $randomx, $coin, $algo)) and
        ($name or any of ($pool*))
}
