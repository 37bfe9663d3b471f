"""A second blind set of held-out plain-language queries for `/objective` lookup (data only).

Written on 2026-12-03 by a writer who saw only the study guide's ids and titles (the seed study guide
and the ids/titles of content/dp100/objectives.yaml), never plain-words.yaml, aliases.yaml,
descriptions.yaml, the question bank, the search code or the tuned search cases. It was committed
before the search was run on it, so it measures how search generalises to wording nobody tuned for.

This set is HELD OUT: never tune plain-words.yaml, aliases.yaml, descriptions.yaml or the search code
to its queries. A held-out set that gets tuned to stops measuring anything. Add tuning cases to
tests/search_cases.py instead.

BLIND2: (query, acceptable objective ids); the first id is the one a study partner would point to,
a second one is listed only where two objectives honestly fit. Queries use at most one substantive
word from the objective's title. Spread by exam weight:
domain 1 x17, domain 2 x14, domain 3 x23, domain 4 x6.
OFF_TOPIC2: things a bored member might type, some sharing an everyday word with the exam; they
should find nothing.
"""

BLIND2: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Domain 1: manage Azure resources for machine learning
    ("set up a brand new ml workspce from the portal", ("1.1.1",)),
    ("download the config json so my script knows which subscription to use", ("1.1.2",)),
    ("premium or standard storage account for big training files?", ("1.2.1",)),
    ("hook up an adls gen2 account so the workspace can read it", ("1.2.2",)),
    ("version my csv so every experiment uses the same snapshot", ("1.2.3",)),
    ("how many cores and how much ram do i need for training", ("1.3.1",)),
    ("make a cpu cluster that goes up to 4 nodes for jobs", ("1.3.2",)),
    ("bring an existing linux vm into azure ml to run jobs on", ("1.3.3",)),
    ("check if my gpu nodes are actualy doing anything", ("1.3.4",)),
    ("which built-in role should a data scientist get", ("1.4.1", "1.4.3")),
    ("json file for a permission set that can't delete clusters", ("1.4.2",)),
    ("pull a secret into my training script without pasting it in the code", ("1.4.4",)),
    ("can my teammate log into the jupyter box I created last week", ("1.5.2",)),
    ("work from my laptop's jupyter with the azureml sdk", ("1.5.3",)),
    ("provision databricks in the portal", ("1.6.1",)),
    ("pick a spark runtime version and worker count in dbx", ("1.6.2",)),
    ("make my dbx runs show up in azure ml too", ("1.6.4", "2.3.5")),
    # Domain 2: run experiments and train models
    ("drag and drop a regression model without writing code", ("2.1.1", "2.1.3")),
    ("get my csv onto the designer canvas", ("2.1.2",)),
    ("run my own python in the middle of a drag-and-drop flow", ("2.1.4",)),
    ("submit train.py to the cluster with ScriptRunConfig", ("2.2.2", "2.2.1")),
    ("hand my registered tabular set to train.py as an input", ("2.2.3",)),
    ("train on dbx compute from an azureml pipeline step", ("2.2.4",)),
    ("record accuracy every epoch so i can chart it later", ("2.3.1",)),
    ("my run failed, where's the stack trace", ("2.3.3",)),
    ("mlflow.log_metric with azure ml as the backend", ("2.3.4",)),
    ("stop automl from trying neural nets, only tree models", ("2.4.4",)),
    ("optimise for AUC weighted instead of accuracy in automl", ("2.4.5",)),
    ("should hyperdrive pick combos at random or try every single one", ("2.5.1",)),
    ("bandit slack factor", ("2.5.4",)),
    ("get the winning config out of hyperdrive", ("2.5.5",)),
    # Domain 3: deploy and operationalize machine learning solutions
    ("lock down who can hit my live model's url", ("3.1.1",)),
    ("aci vs aks for prod", ("3.1.2",)),
    ("give my aks service 2 replicas and half a core each", ("3.2.1",)),
    ("host the pkl I already registered as a REST api", ("3.2.2",)),
    ("host a dbx-trained mlflow artifact on azure ml", ("3.2.3",)),
    ("send a json request to the live model from postman", ("3.2.4", "3.5.3")),
    ("service stuck in transitioning state, read the docker logs", ("3.2.5",)),
    ("save my pkl in the registry with a version number", ("3.3.1",)),
    ("collect what my endpoint receives and predicts in production", ("3.3.2",)),
    ("alert me when live inputs to the model stop looking like what we trained on", ("3.3.3",)),
    ("fan out scoring of 10k image files over several nodes", ("3.4.1",)),
    ("what cluster should the overnight bulk scoring use", ("3.4.2",)),
    ("make the bulk scoring workflow callable over REST", ("3.4.3",)),
    ("kick off nightly batch scoring and fetch the results", ("3.4.4",)),
    ("where does parallel_run_step.txt end up", ("3.4.5",)),
    ("after training in the canvas, make a version that answers live requests", ("3.5.2",)),
    ("chain prep and train steps with PythonScriptStep", ("3.6.1",)),
    ("hand the cleaned output of prep to the train stage", ("3.6.2",)),
    ("watch each stage of a multi-step workflow while it's running", ("3.6.4",)),
    ("start our training workflow from an azure devops release", ("3.7.1",)),
    ("retrain automaticly when new files land in blob storage", ("3.7.2",)),
    ("convert my jupyter experiment into a .py file for prod", ("3.7.3",)),
    ("keep training code in git", ("3.7.4",)),
    # Domain 4: implement responsible machine learning
    ("mimic vs tabular explainer for an opaque xgboost", ("4.1.1",)),
    ("which columns matter most for the predictions", ("4.1.2",)),
    ("loan model approves fewer women, how do i measure that", ("4.2.1",)),
    ("fairlearn reduction to make my classifier less biased", ("4.2.2",)),
    ("what guarantee does the privacy math actually give about one person's record", ("4.3.1",)),
    ("epsilon tradeoff, more noise means less accurate answers?", ("4.3.2",)),
)

OFF_TOPIC2: tuple[str, ...] = (
    "model railway layout ideas for a small shed",
    "my cat's weight seems high for her age",
    "gas pipeline route through the national park",
    "best running shoes for flat feet",
    "how to register to vote after moving",
    "azure blue paint for the kitchen walls",
    "wine cellar temperature and humidity",
    "blobfish facts for a school project",
    "key lime pie without condensed milk",
    "scoring rules for ten pin bowling",
    "forest fire season in california",
    "role playing game character sheet ideas",
    "eco friendly cleaning products for the environment",
    "drift car tires for beginners",
    "sourdough starter feeding schedule",
)
