<?php
/**
 * The editor's side over HTTP: the validation route (capability edit_post,
 * the wp_rest nonce, the error with its position), and the REST field
 * taggate_rule / the TagGate blocks, whose invalid rules are refused before
 * anything is saved.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateEditorTest extends \PHPUnit\Framework\TestCase
{
    private GateFixture $f;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
    }

    public function testValidRuleAnswersItsCanonicalForm(): void
    {
        $r = $this->f->admin()->rest('POST', '/taggate/v1/rule/validate', ['rule' => 'ANY(Gold,silver) && !refunded', 'post_id' => $this->f->id('protected')]);
        $this->assertSame(200, $r->status, $r->body);
        $data = $r->json();
        $this->assertTrue($data['valid']);
        $this->assertSame('any(Gold, silver) and not refunded', $data['canonical']);
        $this->assertSame(['Gold', 'silver', 'refunded'], $data['tags']);
    }

    public function testInvalidRuleAnswersTheErrorAndItsPosition(): void
    {
        $admin = $this->f->admin();
        $r = $admin->rest('POST', '/taggate/v1/rule/validate', ['rule' => '(a or b']);
        $this->assertSame(200, $r->status);
        $data = $r->json();
        $this->assertFalse($data['valid']);
        $this->assertSame("expected ')' but found end of rule at line 1, column 8", $data['error']['message']);
        $this->assertSame(1, $data['error']['line']);
        $this->assertSame(8, $data['error']['column']);

        $data = $admin->rest('POST', '/taggate/v1/rule/validate', ['rule' => "vip and\n  (gold or ]"])->json();
        $this->assertFalse($data['valid']);
        $this->assertSame([2, 12], [$data['error']['line'], $data['error']['column']], $data['error']['message']);

        $data = $admin->rest('POST', '/taggate/v1/rule/validate', ['rule' => ''])->json();
        $this->assertTrue($data['valid'], 'an empty post rule means public');
        $this->assertTrue($data['empty']);
    }

    public function testTheRouteNeedsTheCapabilityAndTheNonce(): void
    {
        $path = '/wp-json/taggate/v1/rule/validate';
        $body = json_encode(['rule' => 'vip']);
        $json = ['Content-Type' => 'application/json'];

        $this->assertSame(401, GateClient::visitor()->post($path, $body, $json)->status, 'visitor');

        $sub = $this->f->client('vip');
        $r = $sub->rest('POST', '/taggate/v1/rule/validate', ['rule' => 'vip']);
        $this->assertSame(403, $r->status, 'a subscriber cannot edit posts');
        $r = $sub->rest('POST', '/taggate/v1/rule/validate', ['rule' => 'vip', 'post_id' => $this->f->id('protected')]);
        $this->assertSame(403, $r->status, 'nor this post');

        $admin = $this->f->admin();
        $this->assertSame(401, $admin->post($path, $body, $json)->status, 'cookies without the nonce count as a visitor');
        $this->assertSame(403, $admin->post($path, $body, $json + ['X-WP-Nonce' => 'deadbeef00'])->status, 'a wrong nonce');
        $this->assertSame(200, $admin->post($path, $body, $json + ['X-WP-Nonce' => $admin->nonce()])->status);

        $r = $admin->rest('POST', '/taggate/v1/rule/validate', ['rule' => ['vip']]);
        $this->assertSame(400, $r->status, 'typed arguments');
        $r = $admin->rest('POST', '/taggate/v1/rule/validate', ['rule' => 'vip', 'post_id' => 'x']);
        $this->assertSame(400, $r->status);
    }

    private function fresh(array $data = []): int
    {
        $r = $this->f->admin()->rest('POST', '/wp/v2/posts', $data + ['title' => "Editor {$this->f->s}", 'content' => 'original', 'status' => 'draft']);
        $this->assertSame(201, $r->status, $r->body);
        return (int) $r->json()['id'];
    }

    private function edit(int $id): array
    {
        return $this->f->admin()->rest('GET', "/wp/v2/posts/$id?context=edit")->json();
    }

    public function testAnInvalidRuleIsNeverSaved(): void
    {
        $admin = $this->f->admin();
        $id = $this->fresh(['taggate_rule' => 'vip']);
        $this->assertSame('vip', $this->edit($id)['taggate_rule']);

        $r = $admin->rest('POST', "/wp/v2/posts/$id", ['title' => 'changed', 'taggate_rule' => 'vip and (']);
        $this->assertSame(400, $r->status, $r->body);
        $this->assertStringContainsString('at line 1, column 10', $r->body);
        $after = $this->edit($id);
        $this->assertSame('vip', $after['taggate_rule'], 'the rule is unchanged');
        $this->assertSame("Editor {$this->f->s}", $after['title']['raw'], 'and nothing else was saved either');

        $r = $admin->rest('POST', "/wp/v2/posts/$id", ['taggate_rule' => ' "say \\"hi\\"" or \'it\\\'s\' ']);
        $this->assertSame(200, $r->status, $r->body);
        $this->assertSame('"say \\"hi\\"" or \'it\\\'s\'', $this->edit($id)['taggate_rule'], 'stored as typed (trimmed), backslashes kept');

        $r = $admin->rest('POST', "/wp/v2/posts/$id", ['taggate_rule' => '']);
        $this->assertSame(200, $r->status);
        $this->assertSame('', $this->edit($id)['taggate_rule'], 'emptied: public');

        $r = $admin->rest('POST', "/wp/v2/posts/$id", ['taggate_rule' => 42]);
        $this->assertSame(400, $r->status, 'typed');
        $admin->rest('DELETE', "/wp/v2/posts/$id?force=true");
    }

    public function testBlocksWithAnInvalidRuleAreRefused(): void
    {
        $admin = $this->f->admin();
        $id = $this->fresh();
        $bad = '<!-- wp:taggate/gate {"rule":"vip or"} --><!-- wp:paragraph --><p>x</p><!-- /wp:paragraph --><!-- /wp:taggate/gate -->';
        $r = $admin->rest('POST', "/wp/v2/posts/$id", ['content' => $bad]);
        $this->assertSame(400, $r->status, $r->body);
        $this->assertSame('taggate_invalid_rule', $r->json()['code']);
        $this->assertStringContainsString('TagGate block 1', $r->json()['message']);
        $this->assertSame('original', $this->edit($id)['content']['raw']);

        $empty = '<!-- wp:taggate/gate --><!-- wp:paragraph --><p>x</p><!-- /wp:paragraph --><!-- /wp:taggate/gate -->';
        $this->assertSame(400, $admin->rest('POST', "/wp/v2/posts/$id", ['content' => $empty])->status, 'a block without a rule');

        $good = str_replace('vip or', 'vip or gold', $bad);
        $this->assertSame(200, $admin->rest('POST', "/wp/v2/posts/$id", ['content' => $good])->status);
        $admin->rest('DELETE', "/wp/v2/posts/$id?force=true");
    }

    public function testTheEditorLoadsThePanelAndTheBlock(): void
    {
        $html = $this->f->admin()->get('/wp-admin/post.php?post=' . $this->f->id('protected') . '&action=edit')->body;
        $this->assertStringContainsString('assets/js/editor-panel.js', $html);
        $this->assertStringContainsString('assets/js/gate-block.js', $html);
        $this->assertStringContainsString('assets/js/rule-check.js', $html);
        // Admin assets stay on their own screens.
        $this->assertStringNotContainsString('assets/css/admin.css', $html);
        $this->assertStringNotContainsString('editor-panel.js', $this->f->admin()->get('/wp-admin/index.php')->body);
    }

    /**
     * The classic editor's meta box (the Classic Editor plugin's screen):
     * saves a valid rule, keeps the previous rule and says why when the new
     * one is invalid, and ignores a request without its nonce.
     */
    public function testTheClassicMetaBox(): void
    {
        $admin = $this->f->admin();
        $classic = ['X-TagGate-Test-Classic-Editor' => '1'];
        $id = $this->fresh(['taggate_rule' => 'vip']);
        $url = "/wp-admin/post.php?post=$id&action=edit";
        $submit = function (array $set) use ($admin, $url, $classic) {
            $page = $admin->get($url, $classic)->body;
            $fields = GateHtml::with(GateHtml::fields($page, '//form[@id="post"]'), $set);
            return $admin->post('/wp-admin/post.php', GateHtml::encode($fields), $classic + ['Content-Type' => 'application/x-www-form-urlencoded']);
        };
        try {
            $page = $admin->get($url, $classic)->body;
            $this->assertSame('vip', GateHtml::text($page, '//textarea[@name="taggate_rule"]'), 'the meta box shows the rule');

            $r = $submit(['taggate_rule' => '  any(gold, silver) and not refunded ']);
            $this->assertSame(302, $r->status, 'saved and sent back to the editor');
            $this->assertSame('any(gold, silver) and not refunded', $this->edit($id)['taggate_rule']);
            $this->assertSame('original', $this->edit($id)['content']['raw'], 'the rest of the post is untouched');

            $submit(['taggate_rule' => 'gold and (']);
            $this->assertSame('any(gold, silver) and not refunded', $this->edit($id)['taggate_rule'], 'an invalid rule is not saved');
            $notice = GateHtml::text($admin->get($url, $classic)->body, '//div[contains(@class,"notice-error")]');
            $this->assertStringContainsString('did not save the rule', $notice);
            $this->assertMatchesRegularExpression('/line 1, column \d+/', $notice, 'the error says where');

            $submit(['taggate_rule' => 'vip', 'taggate_rule_nonce' => null]);
            $this->assertSame('any(gold, silver) and not refunded', $this->edit($id)['taggate_rule'], 'no change without the meta box nonce');

            $submit(['taggate_rule' => '']);
            $this->assertSame('', $this->edit($id)['taggate_rule'], 'emptied: public');
        } finally {
            $admin->rest('DELETE', "/wp/v2/posts/$id?force=true");
        }
    }
}
