"""The dashboard in a real browser: Debian's chromium, driven by Selenium through Debian's
chromedriver (scripts/install-deps.sh installs both; nothing is downloaded). Each test saves a
screenshot under Tests/real-clients/screenshots/ (the README shows the deployment one, copied to
docs/dashboard.png by the test command)."""
import json
import pathlib
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import CHEF_11, REPO, create_stack, online_instance

SCREENSHOTS = REPO / "Tests/real-clients/screenshots"
# The page re-renders on every event: an element found a moment ago may have been replaced.
REPLACED = (StaleElementReferenceException,)


@pytest.fixture
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "chromium and chromium-driver are missing: scripts/install-deps.sh installs them"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    session.set_page_load_timeout(20)
    SCREENSHOTS.mkdir(exist_ok=True)
    yield session
    session.quit()


def open_dashboard(browser, server):
    browser.get(server.url + "/")  # a browser's GET / is sent on to the dashboard
    assert browser.current_url == server.url + "/_opsworks-local/dashboard"
    WebDriverWait(browser, 10, ignored_exceptions=REPLACED).until(lambda b: b.find_element(By.ID, "live").text == "live")


def wait_for(browser, css, text=None, timeout=15):
    def found(b):
        elements = b.find_elements(By.CSS_SELECTOR, css)
        return elements and (text is None or elements[0].text == text) and elements[0]
    return WebDriverWait(browser, timeout, ignored_exceptions=REPLACED).until(found)


def text_when(browser, css, check, timeout=15):
    """The element's text once `check` accepts it, read inside the wait: the page re-renders on
    every event, so an element found a moment before may be gone when its text is read."""
    def found(b):
        elements = b.find_elements(By.CSS_SELECTOR, css)
        text = elements[0].text if elements else None
        return text if text is not None and check(text) else False
    return WebDriverWait(browser, timeout, ignored_exceptions=REPLACED).until(found)


def click(browser, css):
    """Clicks the element, found again if a re-render replaced it in between."""
    WebDriverWait(browser, 10, ignored_exceptions=REPLACED).until(lambda b: b.find_element(By.CSS_SELECTOR, css).click() or True)


def severe_console_entries(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def demo(client):
    stack = create_stack(client, name="shop-production", **CHEF_11)
    layer = client.create_layer(StackId=stack, Type="php-app", Name="PHP App Server", Shortname="php-app")["LayerId"]
    app = client.create_app(StackId=stack, Name="Shop", Type="php",
                            AppSource={"Type": "git", "Url": "https://github.com/example/shop.git", "Revision": "main"})["AppId"]
    return stack, layer, app


def test_the_page_loads_offline_without_console_errors(browser, start_server):
    server = start_server("--in-memory")
    client = server.client()
    stack, layer, _ = demo(client)
    open_dashboard(browser, server)
    wait_for(browser, f'[data-stack-id="{stack}"] h3', "shop-production")
    # Nothing but this server was asked for anything: every resource the page loaded is its own.
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(url.startswith(server.url) for url in urls), urls
    assert severe_console_entries(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-empty-stack.png"))


def test_a_deployment_from_boto3_moves_from_running_to_successful_on_screen(browser, start_server):
    server = start_server("--in-memory", "--deployment-seconds", "3")
    client = server.client()
    stack, layer, app = demo(client)
    for _ in range(3):
        online_instance(client, stack, layer)
    open_dashboard(browser, server)
    wait_for(browser, f'[data-stack-id="{stack}"] h3', "shop-production")
    deployment = client.create_deployment(StackId=stack, AppId=app, Command={"Name": "deploy"}, Comment="release 42")["DeploymentId"]
    badge = f'[data-deployment-status="{deployment}"]'
    wait_for(browser, badge, "running", timeout=3)  # the event stream, not a reload, brings it
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-deployment-running.png"))
    wait_for(browser, badge, "successful", timeout=10)
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1  # never reloaded
    def rows_successful(b):
        rows = b.find_elements(By.CSS_SELECTOR, f'[data-deployment-id="{deployment}"] tr[data-command-id]')
        return len(rows) == 3 and all("successful" in row.text for row in rows) and rows
    rows = WebDriverWait(browser, 5, ignored_exceptions=REPLACED).until(rows_successful)
    WebDriverWait(browser, 5, ignored_exceptions=REPLACED).until(lambda b: (b.find_element(
        By.CSS_SELECTOR, f'[data-deployment-id="{deployment}"] tr[data-command-id] a').click() or True))
    log = wait_for(browser, "pre.log")
    WebDriverWait(browser, 5, ignored_exceptions=REPLACED).until(lambda b: "Chef Run complete" in b.find_element(By.CSS_SELECTOR, "pre.log").text)
    assert severe_console_entries(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-deployment.png"))
    docs = REPO / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copy(SCREENSHOTS / "dashboard-deployment.png", docs / "dashboard.png")


def test_a_deploy_clicked_in_the_page_is_seen_by_boto3(browser, start_server):
    server = start_server("--in-memory")
    client = server.client()
    stack, layer, app = demo(client)
    online_instance(client, stack, layer)
    open_dashboard(browser, server)
    click(browser, f'button[data-action="deploy"][data-app-id="{app}"]')
    WebDriverWait(browser, 10, ignored_exceptions=REPLACED).until(lambda b: client.describe_deployments(StackId=stack)["Deployments"])
    deployment = client.describe_deployments(StackId=stack)["Deployments"][0]
    assert (deployment["AppId"], deployment["Command"]["Name"]) == (app, "deploy")
    cli = browser.find_element(By.ID, "cli").text
    assert cli.startswith(f"aws opsworks --endpoint-url {server.url} --region us-east-1 create-deployment")
    assert f"--stack-id {stack}" in cli and f"--app-id {app}" in cli and """--command '{"Name":"deploy"}'""" in cli
    wait_for(browser, f'[data-deployment-status="{deployment["DeploymentId"]}"]', "successful")
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-deploy-clicked.png"))


def test_a_stopped_instance_started_from_the_page_reaches_online(browser, start_server):
    server = start_server("--in-memory", "--instance-step-seconds", "0.5")
    client = server.client()
    stack, layer, _ = demo(client)
    instance = client.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t3.small")["InstanceId"]
    open_dashboard(browser, server)
    wait_for(browser, f'[data-instance-status="{instance}"]', "stopped")
    click(browser, f'button[data-action="start"][data-instance-id="{instance}"]')
    seen = set()
    def online(b):
        elements = b.find_elements(By.CSS_SELECTOR, f'[data-instance-status="{instance}"]')
        if elements:
            seen.add(elements[0].text)
        return "online" in seen
    WebDriverWait(browser, 15, poll_frequency=0.1, ignored_exceptions=REPLACED).until(online)
    assert len(seen & {"requested", "pending", "booting", "running_setup"}) >= 2, seen  # it moved through them on screen
    assert client.describe_instances(InstanceIds=[instance])["Instances"][0]["Status"] == "online"
    WebDriverWait(browser, 5, ignored_exceptions=REPLACED).until(  # the EC2 ID once running
        lambda b: "i-" in b.find_element(By.CSS_SELECTOR, f'tr[data-instance-id="{instance}"]').text)
    assert "start-instance --instance-id " + instance in browser.find_element(By.ID, "cli").text
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-instance-started.png"))


def test_with_verified_signatures_the_page_is_read_only(browser, start_server):
    server = start_server("--in-memory", "--verify-signatures", "--credentials", "AKIDTEST:secret")
    open_dashboard(browser, server)
    assert "read-only" in browser.find_element(By.ID, "mode").text
    assert [b for b in browser.find_elements(By.CSS_SELECTOR, "button.act") if b.is_displayed()] == []


def test_the_demo_script_walks_a_deployment_through(tmp_path):
    import os
    import socket
    import subprocess
    from harness import BINARY
    with socket.socket() as probe:  # a free port for the demo's server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(["bash", str(REPO / "scripts/demo.sh"), "--once", "--port", str(port)], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, OPSWORKS_LOCAL_BIN=str(BINARY)))
    assert result.returncode == 0, result.stderr
    assert f"Dashboard: http://127.0.0.1:{port}/" in result.stdout
    assert "is online" in result.stdout and "deployment running" in result.stdout
    assert result.stdout.rstrip().endswith("is successful")


def test_registered_resources_users_and_permissions_appear_live(browser, start_server):
    server = start_server("--in-memory")
    client = server.client()
    stack, layer, _ = demo(client)
    instance = online_instance(client, stack, layer)
    open_dashboard(browser, server)
    wait_for(browser, f'[data-stack-id="{stack}"] h3', "shop-production")
    # Registered after the page loaded: the event stream brings them in without a reload.
    user = "arn:aws:iam::000000000000:user/dana"
    client.create_user_profile(IamUserArn=user, SshUsername="dana")
    client.set_permission(StackId=stack, IamUserArn=user, Level="deploy", AllowSsh=True)
    client.register_elastic_ip(ElasticIp="203.0.113.50", StackId=stack)
    client.associate_elastic_ip(ElasticIp="203.0.113.50", InstanceId=instance)
    client.register_rds_db_instance(StackId=stack, RdsDbInstanceArn="arn:aws:rds:us-east-1:000000000000:db:shopdb", DbUser="shop", DbPassword="p")
    hostname = client.describe_instances(InstanceIds=[instance])["Instances"][0]["Hostname"]
    # Each row as it reads once the last of those calls has reached the page.
    text_when(browser, f'[data-stack-id="{stack}"] [data-registered="203.0.113.50"]', lambda t: t.split() == ["Elastic", "IP", "203.0.113.50", "vpc", hostname])
    text_when(browser, f'[data-stack-id="{stack}"] [data-registered="shopdb"]', lambda t: t.startswith("RDS DB instance shopdb shopdb."))
    text_when(browser, f'[data-user="{user}"]', lambda t: t.split() == ["dana", user, "dana", "no"])
    text_when(browser, f'[data-stack-id="{stack}"] [data-permission-for="{user}"]', lambda t: t.split() == ["dana", "deploy", "yes", "no"])
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
    assert severe_console_entries(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / "dashboard-registered-resources.png"))
